-- Chapters of a file, read by the probe, on the playback clock (milliseconds from the
-- file's first timestamp).
CREATE TABLE media_chapters (
    file_id INTEGER NOT NULL REFERENCES media_files(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    title TEXT,
    PRIMARY KEY (file_id, idx)
);
-- Files probed before have none recorded: the next scan probes them again.
UPDATE media_files SET mtime = 0;
