"""Read COUNT records of partition 0 from the beginning with kafka-python 2.0.2; print one JSON object per record."""
import json
import sys
from kafka import KafkaConsumer, TopicPartition

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
partition = TopicPartition(topic, 0)
consumer.assign([partition])
consumer.seek_to_beginning(partition)
seen = 0
while seen < count:
    for records in consumer.poll(timeout_ms=1000).values():
        for r in records:
            print(json.dumps({'offset': r.offset, 'key': r.key.decode() if r.key is not None else None,
                              'value': r.value.decode(), 'timestamp': r.timestamp,
                              'headers': [[k, v.decode()] for k, v in (r.headers or [])]}), flush=True)
            seen += 1
consumer.close()
