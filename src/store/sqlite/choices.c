/* A user's track preferences, and the tracks chosen per show. */
#include "core/error.h"
#include "store/sqlite/db.h"
#include <stdio.h>
#include <string.h>

int store_preferences_get(struct store *s, int64_t user, struct preferences *out)
{
    *out = (struct preferences){.mode = SUBS_FORCED};
    db_lock(s);
    sqlite3_stmt *st = db_stmt(s,
                               "SELECT audio_language, subtitle_language, subtitle_mode"
                               " FROM user_preferences WHERE user_id = ?1",
                               "i", user);
    int rc = db_row(s, st, "cannot read preferences");
    if (rc == 0) {
        snprintf(out->audio_language, sizeof(out->audio_language), "%s", db_text(st, 0));
        snprintf(out->subtitle_language, sizeof(out->subtitle_language), "%s", db_text(st, 1));
        if (subtitle_mode_parse(db_text(st, 2), &out->mode) < 0)
            out->mode = SUBS_FORCED;
    }
    db_done(st);
    db_unlock(s);
    return rc == ERR_NOT_FOUND ? 0 : rc;
}

int store_preferences_put(struct store *s, int64_t user, const struct preferences *p)
{
    db_lock(s);
    int rc =
        db_run(s,
               "INSERT INTO user_preferences (user_id, audio_language, subtitle_language,"
               " subtitle_mode) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (user_id) DO UPDATE SET"
               " audio_language = ?2, subtitle_language = ?3, subtitle_mode = ?4",
               "ittt", user, p->audio_language, p->subtitle_language, subtitle_mode_name(p->mode));
    db_unlock(s);
    return rc;
}

/* The show of an episode's file (?1): its item's season's parent. */
#define SHOW_OF_FILE                                                                               \
    "SELECT season.parent_id FROM media_files f"                                                   \
    " JOIN media_items e ON e.id = f.item_id AND e.kind = 'episode'"                               \
    " JOIN media_items season ON season.id = e.parent_id WHERE f.id = ?1"

int store_show_choice_get(struct store *s, int64_t user, int64_t file, struct show_choice *out)
{
    memset(out, 0, sizeof(*out));
    db_lock(s);
    sqlite3_stmt *st = db_stmt(s,
                               "SELECT audio_language, subtitle_language FROM show_choices"
                               " WHERE show_id = (" SHOW_OF_FILE ") AND user_id = ?2",
                               "ii", file, user);
    int rc = db_row(s, st, "cannot read a show's choices");
    if (rc == 0) {
        snprintf(out->audio_language, sizeof(out->audio_language), "%s", db_text(st, 0));
        snprintf(out->subtitle_language, sizeof(out->subtitle_language), "%s", db_text(st, 1));
    }
    db_done(st);
    db_unlock(s);
    return rc;
}

int store_show_choice_put(struct store *s, int64_t user, int64_t file, const struct show_choice *c,
                          int64_t now)
{
    db_lock(s);
    sqlite3_stmt *st = db_stmt(s, SHOW_OF_FILE, "i", file);
    int rc = db_row(s, st, "cannot find an episode's show");
    int64_t show = rc == 0 ? sqlite3_column_int64(st, 0) : 0;
    db_done(st);
    if (rc == 0)
        rc = db_run(s,
                    "INSERT INTO show_choices (user_id, show_id, audio_language,"
                    " subtitle_language, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)"
                    " ON CONFLICT (user_id, show_id) DO UPDATE SET audio_language = ?3,"
                    " subtitle_language = ?4, updated_at = ?5",
                    "iitti", user, show, c->audio_language, c->subtitle_language, now);
    db_unlock(s);
    return rc;
}
