-- Subtitles: forced (only what is in another language than the audio) and for the deaf and
-- hard of hearing, from the stream's disposition or the sidecar's name.
ALTER TABLE media_streams ADD COLUMN forced INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media_streams ADD COLUMN sdh INTEGER NOT NULL DEFAULT 0;
-- Files probed before know neither: the next scan probes them again.
UPDATE media_files SET mtime = 0;
