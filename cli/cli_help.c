/*
 * cli_help.c: what trygg help COMMAND (and trygg COMMAND --help) says
 * under a command's usage line: what the command does (its first line is
 * the summary trygg --help shows), its options, and one example. A command
 * of main.c's table has its text here; test_cli_help checks that each has
 * one, with an example, and that trygg(1) documents every option it names.
 */
#include "cli.h"

#include <stddef.h>
#include <string.h>

static const struct {
	const char *name;
	const char *text;
} cli_help_texts[] = {
	{"submit",
	    "Reports an incident, and says what happens next\n"
	    "\n"
	    "Sends the report to trygg-intake and prints its number and team, then in\n"
	    "plain words what happens next: for an incident beyond the team's scope, who\n"
	    "is on call now and whether trygg-escalation has notified them yet.\n"
	    "\n"
	    "  --district D           where it happened (a configured district)\n"
	    "  --category C           what happened (a configured category)\n"
	    "  --severity N           1 (minor) to 5 (most severe)\n"
	    "  --summary S            one line\n"
	    "  --reporter R           who reports\n"
	    "  --details T            more text, may have several lines\n"
	    "  --occurred-at T        when it happened (default: now); local time\n"
	    "                         \"2026-12-02 10:00\", \"2026-12-02T10:00\" or RFC 3339\n"
	    "  --level L              the reporter's own judgement of the level\n"
	    "  --needs-external       needs help from outside the team (escalates)\n"
	    "  --needs-reinforcement  needs another team's help\n"
	    "  --involves-minors      minors are involved\n"
	    "  --partner P            a partner organisation involved (repeatable)\n"
	    "  --location L           where, more precisely\n"
	    "  --police-report        a police report was made\n"
	    "  --orosanmalan          an orosanmälan was made\n"
	    "  --id ID                the report's own id; sending it again with the same\n"
	    "                         id stores it once (default: one made per run)\n"
	    "\n"
	    "example:\n"
	    "  trygg submit --district Skäggetorp --category skadegorelse --severity 2 \\\n"
	    "      --summary \"Klotter på skolans vägg\" --reporter \"Fältsekreterare A\"\n"},
	{"get",
	    "Shows one incident with its history, and its escalations beside it\n"
	    "\n"
	    "  NUMBER                 the incident's number (INC-2026-000001)\n"
	    "  --id CLIENT_ID         the id it was submitted with\n"
	    "  --history-before N     older history: the history_next of an earlier get\n"
	    "\n"
	    "example:\n"
	    "  trygg get INC-2026-000001\n"},
	{"list",
	    "Lists incidents, the last received first\n"
	    "\n"
	    "One a line under a header. When more match than are shown it says so (\"20 shown, more match\") with the\n"
	    "command for the next page.\n"
	    "\n"
	    "  --team T               a configured team id\n"
	    "  --status S             open or closed\n"
	    "  --escalation E         none, external or reinforcement\n"
	    "  --severity N           severity N or higher (1-5)\n"
	    "  --since T              received at or after T (local time or RFC 3339;\n"
	    "                         a date alone is the start of that day)\n"
	    "  --until T              received before T (a date alone: before that day)\n"
	    "  --limit N              at most N incidents (1-1000, default 100)\n"
	    "  --before NUMBER        the next page: incidents received before NUMBER\n"
	    "\n"
	    "example:\n"
	    "  trygg list --team omradesteam-1 --status open --since 2026-12-01\n"},
	{"update",
	    "Adds a note to an incident, or closes or reopens it.\n"
	    "\n"
	    "  --by WHO               who makes the change (required)\n"
	    "  --note TEXT            a note for the history\n"
	    "  --close                close it (the same as --status closed)\n"
	    "  --reopen               reopen it (the same as --status open)\n"
	    "  --status S             open or closed; only one of --status, --close and\n"
	    "                         --reopen may be given\n"
	    "\n"
	    "example:\n"
	    "  trygg update INC-2026-000001 --by samordnare --note \"Sanerat\" --close\n"},
	{"escalations",
	    "Lists escalations, the newest first, from trygg-escalation.\n"
	    "\n"
	    "  --status S             open, acked, unanswered or resolved\n"
	    "  --incident NUMBER      only this incident's\n"
	    "  --limit N              at most N (1-1000)\n"
	    "  --before ID            the next page: escalations before ID\n"
	    "\n"
	    "example:\n"
	    "  trygg escalations --status open\n"},
	{"ack",
	    "Acknowledges an escalation\n"
	    "\n"
	    "The person on call has taken it: the reminders and the next steps stop.\n"
	    "\n"
	    "  ESCALATION             the escalation's number (trygg escalations)\n"
	    "  --by CONTACT           the contact id of who acknowledges (required)\n"
	    "\n"
	    "example:\n"
	    "  trygg ack 12 --by tib-1\n"},
	{"resolve",
	    "Marks an escalation as resolved.\n"
	    "\n"
	    "  ESCALATION             the escalation's number\n"
	    "  --by CONTACT           the contact id of who resolves it (required)\n"
	    "  --note TEXT            what was done\n"
	    "\n"
	    "example:\n"
	    "  trygg resolve 12 --by tib-1 --note \"Räddningstjänsten på plats\"\n"},
	{"watch",
	    "Prints the notifications as they are sent\n"
	    "\n"
	    "Each notification from trygg-escalation with the ack command to run, until\n"
	    "Ctrl-C. With --json, one JSON object a line.\n"
	    "\n"
	    "  CONTACT                only this contact's notifications\n"
	    "\n"
	    "example:\n"
	    "  trygg watch tib-1\n"},
	{"status",
	    "Every daemon at a glance\n"
	    "\n"
	    "Up or down, version, uptime, database size and the backlog of each link\n"
	    "between them. Exits 69 when one is down.\n"
	    "\n"
	    "example:\n"
	    "  trygg status\n"},
	{"oncall",
	    "Who is on call now, or at another time\n"
	    "\n"
	    "The contact, their deputy, why (office hours, weekend, the holiday's name)\n"
	    "and until when. Asks trygg-escalation, which decides, unless --config is\n"
	    "given.\n"
	    "\n"
	    "  --at TIME              at another time (local time or RFC 3339)\n"
	    "  --config FILE          decide here from FILE instead of asking the daemon\n"
	    "                         (to check a configuration before it is deployed)\n"
	    "\n"
	    "example:\n"
	    "  trygg oncall --at \"2026-12-24 22:00\"\n"},
	{"rota",
	    "The TiB rota for the coming weeks\n"
	    "\n"
	    "Computed from the configuration: each stretch of duty with its deputy and\n"
	    "overrides; the current one is marked with *.\n"
	    "\n"
	    "  --from DATE            from this date (YYYY-MM-DD; default today)\n"
	    "  --weeks N              this many weeks (1-520, default 4)\n"
	    "\n"
	    "example:\n"
	    "  trygg rota --from 2026-12-01 --weeks 8\n"},
	{"ping",
	    "Asks one daemon whether it answers (default intake).\n"
	    "\n"
	    "  --wait                 a daemon that is not listening yet (starting) is\n"
	    "                         waited for, up to --timeout\n"
	    "\n"
	    "example:\n"
	    "  trygg ping escalation\n"},
	{"calendar",
	    "The Swedish public holidays and eves of a year, as office hours use them.\n"
	    "\n"
	    "example:\n"
	    "  trygg calendar holidays 2026\n"},
	{"config",
	    "Checks a configuration file\n"
	    "\n"
	    "Loads it the way the daemons do and reports every problem with its line\n"
	    "and column. FILE defaults to the one -c names.\n"
	    "\n"
	    "example:\n"
	    "  trygg config check /etc/trygg/trygg.yaml\n"},
	{"report",
	    "A report from trygg-reporting: lagesbild, escalations or annual.\n"
	    "\n"
	    "  --period P             2026-W48, 2026-11, 2026-Q4, 2026-T3 or 2026\n"
	    "  --team T               one team (default all)\n"
	    "  --format F             json (default), csv, md or html\n"
	    "  --suppress             hide counts under the small-count limit\n"
	    "  -o, --output FILE      write it to FILE (whole or not at all)\n"
	    "\n"
	    "example:\n"
	    "  trygg report lagesbild --period 2026-W48 --format md\n"},
	{"jobs",
	    "The scheduled reports with their last and next run.\n"
	    "\n"
	    "example:\n"
	    "  trygg jobs\n"},
	{"help",
	    "The commands, or one command's options and an example.\n"
	    "\n"
	    "example:\n"
	    "  trygg help submit\n"},
	{"version",
	    "This client's version and, for each daemon that answers, its version.\n"
	    "\n"
	    "example:\n"
	    "  trygg version\n"},
	{"backup",
	    "Copies every daemon's database into DIR while the daemons run\n"
	    "\n"
	    "Each database is copied from one snapshot with SQLite's online backup, in\n"
	    "small steps that never hold a daemon's writer back; receivers are copied\n"
	    "before their senders, so the set restores with nothing lost or applied\n"
	    "twice. Each copy is checked (integrity_check) and synced. DIR must not\n"
	    "hold a backup already. Restoring: the README's \"Backup and restore\".\n"
	    "\n"
	    "  DIR                    a new folder for the copies (made 0700)\n"
	    "\n"
	    "example:\n"
	    "  trygg backup /var/lib/trygg-backup/2026-12-01\n"},
	{"audit",
	    "Verifies each daemon's audit trail, a hash chain\n"
	    "\n"
	    "Asks trygg-intake, trygg-escalation and trygg-reporting to walk their\n"
	    "chains, or reads database files. Prints \"intact\" with the number of\n"
	    "entries and the head's hash, or the first entry found changed, inserted\n"
	    "or removed; exits 1 then.\n"
	    "\n"
	    "  --db FILE              verify this database file instead (a stopped\n"
	    "                         daemon's, a backup's); repeatable\n"
	    "\n"
	    "example:\n"
	    "  trygg audit verify --db /var/lib/trygg-backup/2026-12-01/incidents.db\n"},
	{"keygen",
	    "Makes a CurveZMQ key pair, for a daemon, a person or trygg-web\n"
	    "\n"
	    "Writes the pair to FILE (mode 0600) and the public key to FILE.pub (0644),\n"
	    "and prints the public key's line for the configuration's auth section.\n"
	    "An existing file is never overwritten.\n"
	    "\n"
	    "  --out FILE             where (default: trygg.key)\n"
	    "\n"
	    "example:\n"
	    "  trygg keygen --out /etc/trygg/keys/intake.key\n"},
};

const char *
cli_help_text(const char *name)
{
	for (size_t i = 0; i < sizeof(cli_help_texts) / sizeof(cli_help_texts[0]); i++)
		if (strcmp(cli_help_texts[i].name, name) == 0)
			return cli_help_texts[i].text;
	return NULL;
}
