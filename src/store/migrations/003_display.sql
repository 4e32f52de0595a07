-- How a video stream must be shown: field order, colour, sample aspect ratio, rotation;
-- and where a file's timestamps start.
ALTER TABLE media_streams ADD COLUMN field_order TEXT;
ALTER TABLE media_streams ADD COLUMN color_transfer TEXT;
ALTER TABLE media_streams ADD COLUMN color_primaries TEXT;
ALTER TABLE media_streams ADD COLUMN sar_num INTEGER;
ALTER TABLE media_streams ADD COLUMN sar_den INTEGER;
ALTER TABLE media_streams ADD COLUMN rotation INTEGER;
ALTER TABLE media_files ADD COLUMN start_ms INTEGER;
-- Files probed before know none of this: the next scan probes them again.
UPDATE media_files SET mtime = 0;
