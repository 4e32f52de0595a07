-- Background jobs (src/jobs/): one per kind and file, run in the order queued. A job found
-- running at start-up was cut short by a crash or a stop, and is queued again.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    file_id INTEGER NOT NULL REFERENCES media_files(id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    progress REAL NOT NULL DEFAULT 0,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    queued_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    UNIQUE (kind, file_id)
);
CREATE INDEX jobs_queue ON jobs(state, queued_at);

-- A prepared version: HLS made once and kept in storage under its key. The source's size
-- and mtime when it was made tell a version made from an older file (stale).
CREATE TABLE prepared (
    file_id INTEGER PRIMARY KEY REFERENCES media_files(id) ON DELETE CASCADE,
    storage_key TEXT NOT NULL,
    size INTEGER NOT NULL,
    source_size INTEGER NOT NULL,
    source_mtime INTEGER NOT NULL,
    generated_at INTEGER NOT NULL,
    played_at INTEGER NOT NULL
);
