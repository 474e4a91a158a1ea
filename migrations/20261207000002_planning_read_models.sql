-- Planning (projector planning:v1): bays, the mechanics' schedules, the shop calendar,
-- appointments and each day's reserved load. A day's capacity is not stored: the query computes it
-- from these rows with the domain's one function (aggregates::planning::capacity), the same one the
-- booking decision uses, so the planner and the booking never disagree.
CREATE TABLE read.bays (
    bay_id         UUID PRIMARY KEY,
    name           TEXT        NOT NULL,
    kind           TEXT        NOT NULL,
    active         BOOLEAN     NOT NULL,
    registered_at  TIMESTAMPTZ NOT NULL
);

-- The domain's fold of each schedule and of the calendar, as the capacity function takes them.
CREATE TABLE read.work_schedules (
    employee_id    UUID PRIMARY KEY,
    state          JSONB       NOT NULL,
    version        BIGINT      NOT NULL
);

CREATE TABLE read.shop_calendar (
    shop_id        TEXT PRIMARY KEY,
    state          JSONB       NOT NULL,
    version        BIGINT      NOT NULL
);

CREATE TABLE read.appointments (
    appointment_id UUID PRIMARY KEY,
    client_id      UUID        NOT NULL,
    vehicle_id     UUID        NOT NULL,
    wanted_at      TIMESTAMPTZ NOT NULL,
    bay_kind       TEXT,
    mechanic_id    UUID,
    status         TEXT        NOT NULL CHECK (status IN ('booked', 'cancelled', 'missed', 'arrived')),
    -- The works asked for: [{name, catalogue_service_id, norm_hours_tenths}].
    works          JSONB       NOT NULL,
    load_tenths    INTEGER     NOT NULL,
    note           TEXT        NOT NULL,
    booked_by      UUID        NOT NULL,
    booked_at      TIMESTAMPTZ NOT NULL,
    cancel_reason  TEXT,
    work_order_id  UUID,
    version        BIGINT      NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX appointments_wanted ON read.appointments (wanted_at, appointment_id);
CREATE INDEX appointments_vehicle ON read.appointments (vehicle_id);

-- What each day's plan holds now, and the overloads let past a day's capacity.
CREATE TABLE read.day_loads (
    day            DATE        NOT NULL,
    appointment_id UUID        NOT NULL,
    tenths         INTEGER     NOT NULL,
    bay_kind       TEXT,
    mechanic_id    UUID,
    PRIMARY KEY (day, appointment_id)
);

CREATE TABLE read.capacity_overrides (
    day            DATE        NOT NULL,
    appointment_id UUID        NOT NULL,
    needed_tenths  INTEGER     NOT NULL,
    free_tenths    INTEGER     NOT NULL,
    overridden_by  UUID        NOT NULL,
    reason         TEXT        NOT NULL,
    at             TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (day, appointment_id, at)
);

-- Timesheets (projector timesheets:v1): where each mechanic's clocks stand, and every stretch of
-- clocked time as `aggregates::timesheet::worked` defines it (corrections applied); `ended_at` is
-- null while the clock runs.
CREATE TABLE read.timesheets (
    employee_id    UUID PRIMARY KEY,
    on_shift_since TIMESTAMPTZ,
    running_work_order_id UUID,
    running_line_id UUID,
    running_since  TIMESTAMPTZ,
    -- Jobs started and paused, not finished: [{work_order_id, line_id}].
    paused         JSONB       NOT NULL DEFAULT '[]',
    version        BIGINT      NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE read.clocked_shifts (
    employee_id    UUID        NOT NULL,
    started_at     TIMESTAMPTZ NOT NULL,
    ended_at       TIMESTAMPTZ,
    PRIMARY KEY (employee_id, started_at)
);

CREATE TABLE read.clocked_jobs (
    employee_id    UUID        NOT NULL,
    -- The stretch's place among the mechanic's stretches, from 0, as `worked` lists them: a job
    -- paused and resumed (or another started) in the same instant makes stretches that share the
    -- instant and even the job, so neither names a stretch.
    ordinal        INTEGER     NOT NULL,
    started_at     TIMESTAMPTZ NOT NULL,
    work_order_id  UUID        NOT NULL,
    line_id        UUID        NOT NULL,
    ended_at       TIMESTAMPTZ,
    PRIMARY KEY (employee_id, ordinal)
);
CREATE INDEX clocked_jobs_started ON read.clocked_jobs (employee_id, started_at);
CREATE INDEX clocked_jobs_line ON read.clocked_jobs (work_order_id, line_id);
