"""A kafka-python 2.0.2 group member: prints each value it processes, commits after each poll, and leaves
the group cleanly when its standard input is closed."""
import sys
import threading
from kafka import KafkaConsumer

bootstrap, topic, group = sys.argv[1], sys.argv[2], sys.argv[3]
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset='earliest',
                         enable_auto_commit=False, session_timeout_ms=6000, heartbeat_interval_ms=500)
while not stop.is_set():
    batch = consumer.poll(timeout_ms=200)
    for records in batch.values():
        for r in records:
            print(r.value.decode(), flush=True)
    if batch:
        consumer.commit()
consumer.close()
print('closed', flush=True)
