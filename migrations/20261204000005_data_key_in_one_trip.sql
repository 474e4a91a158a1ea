-- A subject's data key in one round trip: the key when it exists; otherwise, under the subject's
-- lock (the one erasure takes), "erased" or a new key. The command API registering a client used
-- to spend seven round trips here (a read, then a transaction of lock, erasure check, insert and
-- read back, and a commit of its own to flush), which made a sealed registration 40% slower
-- than a clear one.
--
-- VOLATILE plpgsql: each statement takes a fresh snapshot after the one before it, so the erasure
-- check sees every erasure committed before the lock was granted. The advisory lock is held to the
-- end of the caller's transaction (the one statement that calls this), past the insert's commit.
-- SECURITY INVOKER: the caller's own grants on keys.* apply (the query role has none).
CREATE FUNCTION keys.data_key_for(
    p_subject       uuid,
    p_kind          text,
    p_master_key_id text,
    p_wrapped       bytea
) RETURNS TABLE (subject_kind text, master_key_id text, wrapped bytea, erased boolean)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
        SELECT d.subject_kind, d.master_key_id, d.wrapped, false
          FROM keys.data_keys d WHERE d.subject_id = p_subject;
    IF FOUND THEN
        RETURN;
    END IF;
    -- The same lock as the key store's erase_in: 'keys' (0x6b657973) and the subject.
    PERFORM pg_advisory_xact_lock(1801812339, hashtext(p_subject::text));
    IF EXISTS (SELECT 1 FROM keys.erasures e WHERE e.subject_id = p_subject) THEN
        RETURN QUERY SELECT NULL::text, NULL::text, NULL::bytea, true;
        RETURN;
    END IF;
    -- A new key need not wait for its own WAL flush: nothing is sealed with it until an append
    -- that commits after this one, and that append's flush writes the WAL up to and past this
    -- commit. So a key is durable before any event needing it is, without a second fsync per
    -- new client (it was most of what sealing cost a registration).
    PERFORM set_config('synchronous_commit', 'off', true);
    -- Another caller may have made it while we waited: its key wins, ours is dropped.
    INSERT INTO keys.data_keys (subject_id, subject_kind, master_key_id, wrapped)
    VALUES (p_subject, p_kind, p_master_key_id, p_wrapped)
    ON CONFLICT (subject_id) DO NOTHING;
    RETURN QUERY
        SELECT d.subject_kind, d.master_key_id, d.wrapped, false
          FROM keys.data_keys d WHERE d.subject_id = p_subject;
END
$$;
