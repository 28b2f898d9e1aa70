/*
 * cli_text.c: text from a daemon as a terminal may show it.
 *
 * What trygg prints comes from other people (a summary, a note, a name in
 * a reply), and a terminal obeys the control characters it is sent: ESC and
 * CSI sequences can clear the screen, retitle the window, fake earlier
 * output or, on some terminals, answer with keystrokes; bidi overrides make
 * text read in another order than it is stored. The daemons refuse such
 * characters in what they store, but the CLI does not rely on that (data
 * stored before, other daemons, a hostile endpoint): every string from a
 * reply is printed through here, with such characters written as escapes
 * ("\x1b", "\u202e") and bytes that are not UTF-8 as "\xff". JSON output
 * (--json) escapes the same characters itself (json.c).
 */
#include "cli.h"
#include "utf8.h"

#include <stdio.h>

#define CLI_TEXT_RING 8         /* cli_text_str() results alive at once */

void
cli_text_escape(buf_t *out, const char *s, size_t len, const char *indent)
{
	size_t i = 0;

	buf_append(out, "", 0);
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);

		if (n == 0) {
			buf_printf(out, "\\x%02x", (unsigned char)s[i]);
			i++;
			continue;
		}
		if (cp == '\n' && indent != NULL) {
			buf_putc(out, '\n');
			buf_puts(out, indent);
		} else if (cp == '\n' || (cp < 0x20 && cp != '\t') || cp == 0x7f) {
			buf_printf(out, "\\x%02x", (unsigned)cp);
		} else if (utf8_check_text(s + i, n, true, NULL) != UTF8_TEXT_OK) {
			buf_printf(out, "\\u%04x", (unsigned)cp);     /* C1, bidi, U+2028 */
		} else {
			buf_append(out, s + i, n);
		}
		i += n;
	}
}

/* The next buffer of the ring, emptied. */
static buf_t *
cli_text_slot(void)
{
	static buf_t ring[CLI_TEXT_RING];
	static unsigned next;
	buf_t *b = &ring[next++ % CLI_TEXT_RING];

	buf_reset(b);
	return b;
}

const char *
cli_text_lines(const msgpack_object *o, const char *indent)
{
	buf_t *b;

	if (o == NULL || o->type != MSGPACK_OBJECT_STR)
		return "-";
	b = cli_text_slot();
	cli_text_escape(b, o->via.str.ptr, o->via.str.size, indent);
	return buf_str(b);
}

const char *
cli_text_str(const msgpack_object *o)
{
	return cli_text_lines(o, NULL);
}
