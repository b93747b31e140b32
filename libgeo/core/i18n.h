/*
** i18n.h: translation of what people read, through GNU gettext in glibc.
** Every message of libgeo and of the tools lives in one text domain,
** "wangge", looked up with dgettext rather than gettext so that a program
** linking libgeo gets the library's translations whatever its own domain.
** The program chooses the language: the tools call setlocale and
** bindtextdomain once (tools/cli.c); a program that never does gets English.
**
** Only text for people is translated. JSON keys and values, field names,
** problem kinds and numbers stay as they are, so that machines reading the
** outputs see the same bytes in every language.
**
** Wrap, do not reword: _("text") at the point of use, N_("text") in static
** tables (translated where printed), P_(one, many, n) for counts that English
** puts in the plural, C_(context, "text") for a word that needs one, T_(s)
** for a string that may be empty. geo_fail, geo_log, cli_usage_error and
** geo_cpl_error's fallback translate their format themselves (xgettext knows
** them as keywords, see the Makefile's pot target), so their callers write
** plain literals. See docs/conventions.md, "Language".
*/
#ifndef GEO_I18N_H
#define GEO_I18N_H

#include <libintl.h>

#define GEO_TEXT_DOMAIN "wangge"
#define _(s) dgettext(GEO_TEXT_DOMAIN, s)
#define N_(s) s
#define P_(one, many, n) dngettext(GEO_TEXT_DOMAIN, one, many, (unsigned long)(n))
/* A word whose translation depends on where it is used ("gap" the problem):
** msgctxt ctx in the catalogue, as gettext's pgettext. */
#define C_(ctx, s) geo_pgettext(ctx "\004" s, s)
/* A string that may be empty or not a literal: gettext maps "" to the
** catalogue's header, so "" stays "". */
#define T_(s) (*(s) ? _(s) : (s))
/* The same key for a static table, looked up later with geo_pgettext. */
#define NC_(ctx, s) ctx "\004" s

static inline const char *geo_pgettext(const char *key, const char *s)
{
	const char *t = dgettext(GEO_TEXT_DOMAIN, key);
	return t == key ? s : t;
}

#endif
