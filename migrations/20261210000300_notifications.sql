-- Messages to clients (SMS, e-mail), one row per notification stream: where each stands, and when
-- the next attempt may start. The notifier's sender reads its due rows from here; the stream itself
-- stays the truth (each attempt is decided on the folded stream), so a row that trails the log by
-- the projector's lag can only delay a message, never send one twice. No personal data here: the
-- address and the text stay sealed in the log.
CREATE TABLE read.notifications (
    notification_id  uuid PRIMARY KEY,
    source_event_id  uuid NOT NULL,
    client_id        uuid NOT NULL,
    work_order_id    uuid,
    trigger          text NOT NULL,
    channel          text NOT NULL,
    status           text NOT NULL,
    attempts         integer NOT NULL DEFAULT 0,
    next_at          timestamptz,
    provider_id      text,
    reason           text,
    queued_at        timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    version          bigint NOT NULL
);

CREATE INDEX notifications_due ON read.notifications (next_at)
    WHERE status IN ('due', 'failed');
CREATE INDEX notifications_by_client ON read.notifications (client_id, queued_at);
CREATE INDEX notifications_by_order ON read.notifications (work_order_id, queued_at)
    WHERE work_order_id IS NOT NULL;
