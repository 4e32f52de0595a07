/* The peer of bench/progress.sh: the same progress upserts as Reel's store makes (read the
 * progress and the device's sequence, write both, in one transaction), in a bare loop on a
 * copy of the database, with nothing of HTTP. Prints upserts per second. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: sqlite_upserts DB FILE_ID COUNT\n");
        return 2;
    }
    sqlite3 *db;
    if (sqlite3_open(argv[1], &db) != SQLITE_OK)
        return 1;
    sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", 0, 0, 0);
    long file = atol(argv[2]), count = atol(argv[3]);
    sqlite3_stmt *read, *seq, *put, *dev;
    sqlite3_prepare_v2(db,
                       "SELECT coalesce(f.duration_ms, 0), p.position_ms FROM media_files f"
                       " LEFT JOIN playback_progress p ON p.file_id = f.id AND p.user_id = 1"
                       " WHERE f.id = ?1",
                       -1, &read, 0);
    sqlite3_prepare_v2(db,
                       "SELECT seq FROM progress_devices WHERE user_id = 1 AND file_id = ?1"
                       " AND device_id = 'loop'",
                       -1, &seq, 0);
    sqlite3_prepare_v2(db,
                       "INSERT INTO playback_progress (user_id, file_id, position_ms, watched,"
                       " play_count, updated_at, device_id) VALUES (1, ?1, ?2, 0, 0, ?3,"
                       " 'loop') ON CONFLICT (user_id, file_id) DO UPDATE SET"
                       " position_ms = excluded.position_ms, updated_at = excluded.updated_at",
                       -1, &put, 0);
    sqlite3_prepare_v2(db,
                       "INSERT INTO progress_devices (user_id, file_id, device_id, seq)"
                       " VALUES (1, ?1, 'loop', ?2) ON CONFLICT DO UPDATE SET seq = excluded.seq",
                       -1, &dev, 0);
    double t0 = now();
    for (long i = 0; i < count; i++) {
        sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0);
        sqlite3_bind_int64(read, 1, file);
        sqlite3_step(read);
        sqlite3_reset(read);
        sqlite3_bind_int64(seq, 1, file);
        sqlite3_step(seq);
        sqlite3_reset(seq);
        sqlite3_bind_int64(put, 1, file);
        sqlite3_bind_int64(put, 2, i % 5000);
        sqlite3_bind_int64(put, 3, i);
        sqlite3_step(put);
        sqlite3_reset(put);
        sqlite3_bind_int64(dev, 1, file);
        sqlite3_bind_int64(dev, 2, i);
        sqlite3_step(dev);
        sqlite3_reset(dev);
        if (sqlite3_exec(db, "COMMIT", 0, 0, 0) != SQLITE_OK)
            return 1;
    }
    printf("%.0f\n", count / (now() - t0));
    sqlite3_close(db);
    return 0;
}
