"""The DEBS 2025 LPBF queries written the way a numpy user writes them: scipy correlations for the
neighbourhood sums, a boolean mask for the outliers, scikit-learn's DBSCAN for the clusters.

Used by Weir's tests as an independent implementation of the same definition (docs/pipelines/lpbf.md)
and by `weir bench lpbf tile` as the baseline. Debian packages: python3-numpy, python3-scipy,
python3-sklearn, python3-pil.

    lpbf_reference.py results FOLDER [--limit N]   one JSON line per tile of a tile folder
    lpbf_reference.py bench FOLDER --windows N     per-tile timings (JSON) on the first N full windows
"""
import io
import json
import os
import re
import sys
import time

import numpy as np
from PIL import Image
from scipy.ndimage import correlate
from sklearn.cluster import DBSCAN

EMPTY = 5000
SATURATION = 65000
OUTLIER = 6000
CLOSE_COUNT = 19
OUTER_COUNT = 60


def _kernels():
    """Per layer (0 = two back, 2 = newest) the close and the outer Manhattan footprints, cropped."""
    close, outer = [], []
    for d in range(3):
        depth = 2 - d
        c = np.zeros((9, 9))
        o = np.zeros((9, 9))
        for i in range(-4, 5):
            for j in range(-4, 5):
                distance = abs(i) + abs(j) + depth
                if distance <= 2:
                    c[i + 4, j + 4] = 1
                elif distance <= 4:
                    o[i + 4, j + 4] = 1
        close.append(_crop(c))
        outer.append(_crop(o))
    return close, outer


def _crop(kernel):
    rows = np.nonzero(kernel.any(axis=1))[0]
    if len(rows) == 0:
        return None
    r = max(4 - rows.min(), rows.max() - 4)
    return kernel[4 - r:5 + r, 4 - r:5 + r]


CLOSE, OUTER = _kernels()


def saturated(tile):
    return int(np.count_nonzero(tile > SATURATION))


def _sum(layers, kernels):
    total = np.zeros(layers[0].shape)
    for layer, kernel in zip(layers, kernels):
        if kernel is not None:
            total += correlate(layer, kernel, mode="constant", cval=0.0)
    return total


def outliers(window):
    """window: the three tiles of a key, oldest first. Returns rows, cols, deviations in scan order."""
    layers = [t.astype(np.float64) for t in window]
    close_sum = _sum(layers, CLOSE)
    outer_sum = _sum(layers, OUTER)
    deviation = np.abs(close_sum / CLOSE_COUNT - outer_sum / OUTER_COUNT)
    newest = window[2]
    mask = (newest > EMPTY) & (newest < SATURATION) & (deviation > OUTLIER)
    cols, rows = np.nonzero(mask.T)  # column-major: columns ascending, rows ascending within a column
    return rows, cols, deviation[rows, cols]


def clusters(rows, cols):
    if len(rows) == 0:
        return []
    points = np.column_stack((rows, cols))
    labels = DBSCAN(eps=20, min_samples=5).fit(points).labels_
    result = []
    for label in range(labels.max() + 1):  # labels are numbered in creation order
        members = points[labels == label]
        centre = members.mean(axis=0)
        result.append({"x": float(centre[0]), "y": float(centre[1]), "count": int(len(members))})
    return result


class Processor:
    """One window per (print_id, tile_id): the last three tiles in arrival order."""

    def __init__(self):
        self.windows = {}

    def process(self, print_id, tile_id, tile):
        window = self.windows.setdefault((print_id, tile_id), [])
        if len(window) == 3:
            window.pop(0)
        window.append(tile)
        result = {"saturated": saturated(tile), "centroids": [], "outliers": None}
        if len(window) == 3:
            rows, cols, deviation = outliers(window)
            result["centroids"] = clusters(rows, cols)
            result["outliers"] = (rows, cols, deviation)
        return result


NAME = re.compile(r"^L(\d+)-T(\d+)\.tiff?$", re.IGNORECASE)


def folder_tiles(folder):
    tiles = []
    for name in os.listdir(folder):
        match = NAME.match(name)
        if match:
            tiles.append((int(match.group(1)), int(match.group(2)), os.path.join(folder, name)))
    tiles.sort()
    return tiles


def read_tile(path):
    with open(path, "rb") as f:
        return np.array(Image.open(io.BytesIO(f.read())))


def main(argv):
    mode, folder = argv[1], argv[2]
    tiles = folder_tiles(folder)
    processor = Processor()
    if mode == "results":
        limit = int(argv[argv.index("--limit") + 1]) if "--limit" in argv else len(tiles)
        for batch, (layer, tile_id, path) in enumerate(tiles[:limit]):
            result = processor.process("print", tile_id, read_tile(path))
            line = {"batch": batch, "layer": layer, "tile": tile_id, "saturated": result["saturated"], "centroids": result["centroids"]}
            if result["outliers"] is not None:
                rows, cols, deviation = result["outliers"]
                line["outliers"] = [[int(r), int(c), float(d)] for r, c, d in zip(rows, cols, deviation)]
            print(json.dumps(line))
    elif mode == "bench":
        windows = int(argv[argv.index("--windows") + 1])
        data = [(tile_id, open(path, "rb").read()) for _, tile_id, path in tiles]
        timings = []
        full = 0
        for tile_id, tiff in data:
            # Thread CPU time: the benchmark machines are shared, and Weir measures its side the same way.
            started = time.perf_counter()
            start = time.thread_time()
            tile = np.array(Image.open(io.BytesIO(tiff)))
            decoded = time.thread_time()
            result = processor.process("print", tile_id, tile)
            end = time.thread_time()
            if result["outliers"] is not None:
                timings.append({"decode": decoded - start, "queries": end - decoded, "wall": time.perf_counter() - started})
                full += 1
                if full == windows:
                    break
        print(json.dumps({
            "windows": len(timings),
            "decode_s": [t["decode"] for t in timings],
            "queries_s": [t["queries"] for t in timings],
            "wall_s": [t["wall"] for t in timings],
        }))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv)
