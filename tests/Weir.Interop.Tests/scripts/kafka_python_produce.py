"""Produce COUNT records with kafka-python 2.0.2: key-i, value-i, header src=python, timestamp 1700000000000+i."""
import sys
from kafka import KafkaProducer

bootstrap, topic, count, compression = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
producer = KafkaProducer(bootstrap_servers=bootstrap, acks='all',
                         compression_type=None if compression == 'none' else compression, linger_ms=5)
futures = [producer.send(topic, key=('key-%d' % i).encode(), value=('value-%d' % i).encode(), partition=0,
                         headers=[('src', b'python')], timestamp_ms=1700000000000 + i)
           for i in range(count)]
producer.flush()
for future in futures:
    future.get(timeout=30)
producer.close()
