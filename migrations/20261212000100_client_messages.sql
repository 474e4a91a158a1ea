-- Whether a client may be written to (issue 22): the consent to messages, given and not withdrawn,
-- and the channels they keep open (both until they choose). Staff see them on the client's card
-- beside what the notifier sent or skipped. Not personal data: an erasure leaves them, so the
-- history of a skip ("no consent") still reads true afterwards. The clients projector's version
-- is raised with this shape, so every row is refilled from the log.
ALTER TABLE read.clients
    ADD COLUMN messages_consent boolean NOT NULL DEFAULT false,
    ADD COLUMN channel_sms      boolean NOT NULL DEFAULT true,
    ADD COLUMN channel_email    boolean NOT NULL DEFAULT true;
