-- Snapshots are a copy of an aggregate's state outside the log, in the clear. Since personal data
-- is sealed in the log and erased by destroying its subject's key, a snapshot of a stream with
-- personal data would keep a client's or employee's name readable after their erasure: the
-- command API no longer saves or reads snapshots of such streams (`stream_has_personal_data`),
-- and the ones saved before go here. Snapshots are a cache: the state is rebuilt from the log.
DELETE FROM snapshots WHERE stream_type IN ('client', 'staff');
