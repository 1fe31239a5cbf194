// KafkaJS 2.2.4 against a broker: an idempotent producer writes COUNT records (keys, headers) to a new
// topic of 4 partitions while a consumer group of two members reads them all and commits. Prints one JSON
// summary line. Usage: node producer-and-group.js BOOTSTRAP TOPIC GROUP COUNT
const { Kafka, logLevel } = require('kafkajs');

const [bootstrap, topic, groupId, countText] = process.argv.slice(2);
const count = Number(countText);
const kafka = new Kafka({ clientId: 'weir-interop', brokers: [bootstrap], logLevel: logLevel.ERROR });

async function main() {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });

  const seen = {};
  const assigned = {};
  const byMember = { one: 0, two: 0 };
  const consumers = [];
  let done;
  const finished = new Promise((resolve) => { done = resolve; });
  for (const name of ['one', 'two']) {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 500, rebalanceTimeout: 10000 });
    consumer.on(consumer.events.GROUP_JOIN, (e) => { assigned[name] = (e.payload.memberAssignment[topic] || []).length; });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    consumers.push(consumer);
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.headers.origin.toString() !== 'kafkajs') throw new Error('header lost');
        seen[message.value.toString()] = message.key.toString();
        byMember[name]++;
        if (Object.keys(seen).length === count) done();
      },
    });
  }

  // Both members hold partitions before anything is produced, so the work is really shared.
  while (!(assigned.one > 0 && assigned.two > 0 && assigned.one + assigned.two === 4)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let start = 0; start < count; start += 50) {
    const messages = [];
    for (let i = start; i < Math.min(count, start + 50); i++) {
      messages.push({ key: `key-${i}`, value: `value-${i}`, headers: { origin: 'kafkajs' } });
    }
    await producer.send({ topic, messages });
  }
  await producer.disconnect();

  const timeout = setTimeout(() => done(), 60000);
  await finished;
  clearTimeout(timeout);
  for (const consumer of consumers) await consumer.disconnect();

  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  await admin.disconnect();
  console.log(JSON.stringify({
    distinct: Object.keys(seen).length,
    keysMatch: Object.entries(seen).every(([value, key]) => value.replace('value', 'key') === key),
    byMember,
    committed: committed[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0),
  }));
}

main().catch((error) => { console.error(error); process.exit(1); });
