"""A challenge participant's client for the DEBS 2025 Local Challenger, in the style of the organisers' demo
client: requests for HTTP, msgpack for the bodies, Pillow to read the TIFF tiles, numpy (with scipy and
scikit-learn, as in the organisers' optimised reference) for the queries. Weir's tests run it unmodified against
`weir challenger`.

    challenge_client.py http://127.0.0.1:8866 [--limit N]
"""
import argparse
import io
import logging

import msgpack
import numpy as np
import requests
from PIL import Image

import lpbf_reference

logging.basicConfig(level=logging.INFO)
logger = logging.getLogger("challenge_client")


def main():
    parser = argparse.ArgumentParser(description="DEBS 2025 challenge client")
    parser.add_argument("endpoint", type=str, help="Local Challenger URL, e.g. http://127.0.0.1:8866")
    parser.add_argument("--limit", type=int, default=None, help="maximum number of batches")
    args = parser.parse_args()
    url = args.endpoint
    session = requests.Session()

    create = session.post(f"{url}/api/create", json={"apitoken": "polimi-deib", "name": "python-client", "test": True, "max_batches": args.limit})
    create.raise_for_status()
    bench_id = create.json()
    logger.info("created bench %s", bench_id)

    start = session.post(f"{url}/api/start/{bench_id}")
    assert start.status_code == 200, start.text

    processor = lpbf_reference.Processor()
    i = 0
    while not args.limit or i < args.limit:
        response = session.get(f"{url}/api/next_batch/{bench_id}")
        if response.status_code == 404:
            break
        response.raise_for_status()
        assert response.headers["Content-Type"].startswith("application/msgpack"), response.headers
        batch = msgpack.unpackb(response.content, raw=False)
        tile = np.array(Image.open(io.BytesIO(batch["tif"])))
        outcome = processor.process(batch["print_id"], batch["tile_id"], tile)
        result = {
            "batch_id": batch["batch_id"],
            "print_id": batch["print_id"],
            "tile_id": batch["tile_id"],
            "saturated": outcome["saturated"],
            "centroids": outcome["centroids"],
        }
        posted = session.post(f"{url}/api/result/0/{bench_id}/{i}", data=msgpack.packb(result))
        assert posted.status_code == 200, posted.text
        i += 1

    end = session.post(f"{url}/api/end/{bench_id}")
    end.raise_for_status()
    logger.info("completed bench %s after %d batches", bench_id, i)
    print(f"BENCH {bench_id}")
    print(f"Result: {end.text}")


if __name__ == "__main__":
    main()
