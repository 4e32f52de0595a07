-- The last sequence number seen from each device, per user and file: an update that is not
-- newer than it changes nothing.
CREATE TABLE progress_devices (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    file_id INTEGER NOT NULL REFERENCES media_files(id) ON DELETE CASCADE,
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (user_id, file_id, device_id)
) WITHOUT ROWID;

ALTER TABLE playback_progress ADD COLUMN device_id TEXT;
CREATE INDEX playback_progress_recent ON playback_progress(user_id, updated_at);
