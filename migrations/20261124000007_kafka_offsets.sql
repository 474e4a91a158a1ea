-- A projector fed from Kafka instead of the log: where it is in each partition, written in the same
-- transaction as its read model (exactly once into PostgreSQL, whatever the consumer group thinks),
-- and the last log position it applied from that partition, by which it drops the repeats a relay's
-- crash may publish (the relay publishes in log order, so on one partition a repeat is never newer).
CREATE TABLE projections.kafka_offsets (
    projector             TEXT    NOT NULL,
    topic                 TEXT    NOT NULL,
    partition             INTEGER NOT NULL,
    next_offset           BIGINT  NOT NULL,
    last_transaction_id   BIGINT  NOT NULL,
    last_global_position  BIGINT  NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (projector, topic, partition)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON projections.kafka_offsets TO motorlog_service;
