export { createKafkaMessageBus, type KafkaMessageBusOptions } from './kafka-message-bus';
export { toKafkaMessages } from './kafka-messages';
