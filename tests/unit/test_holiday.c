/*
 * test_holiday.c: the Swedish holiday calendar: whole years around the law
 * changes (1938/1939, 1952/1953, 2004/2005), every name, and Easter over
 * 1900-2200 against a second, independent algorithm.
 */
#include "holiday.h"
#include "test.h"
#include "ts.h"
#include "utf8.h"

#include <stdio.h>

typedef struct {
	const char *date;       /* "MM-DD" */
	const char *name;
} day_t;

static int32_t
day_of(int year, const char *mmdd)
{
	int m = (mmdd[0] - '0') * 10 + (mmdd[1] - '0');
	int d = (mmdd[3] - '0') * 10 + (mmdd[4] - '0');

	return ts_days_from_civil(year, m, d);
}

/* Checks that year's list is exactly want[0..n). */
static void
check_year(int year, const day_t *want, int n)
{
	holiday_t got[HOLIDAY_MAX];
	int count = holiday_list(year, got, HOLIDAY_MAX);

	if (count != n)
		test_fail(__FILE__, __LINE__, "%d: %d holidays, expected %d",
		    year, count, n);
	for (int i = 0; i < n && i < count; i++) {
		char date[11];

		ts_format_date(got[i].day, date);
		if (got[i].day != day_of(year, want[i].date) ||
		    strcmp(got[i].name, want[i].name) != 0)
			test_fail(__FILE__, __LINE__, "%d #%d: %s %s, expected %s %s",
			    year, i, date, got[i].name, want[i].date, want[i].name);
	}
}

#define CHECK_YEAR(y, tab) check_year((y), (tab), (int)(sizeof(tab) / sizeof((tab)[0])))

TEST(year_2026)
{
	static const day_t want[] = {
		{"01-01", "Nyårsdagen"}, {"01-06", "Trettondedag jul"},
		{"04-03", "Långfredagen"}, {"04-05", "Påskdagen"},
		{"04-06", "Annandag påsk"}, {"05-01", "Första maj"},
		{"05-14", "Kristi himmelsfärdsdag"}, {"05-24", "Pingstdagen"},
		{"06-06", "Sveriges nationaldag"}, {"06-19", "Midsommarafton"},
		{"06-20", "Midsommardagen"}, {"10-31", "Alla helgons dag"},
		{"12-24", "Julafton"}, {"12-25", "Juldagen"},
		{"12-26", "Annandag jul"}, {"12-31", "Nyårsafton"},
	};

	CHECK_YEAR(2026, want);
}

/* the last year with annandag pingst and without nationaldagen */
TEST(year_2004)
{
	static const day_t want[] = {
		{"01-01", "Nyårsdagen"}, {"01-06", "Trettondedag jul"},
		{"04-09", "Långfredagen"}, {"04-11", "Påskdagen"},
		{"04-12", "Annandag påsk"}, {"05-01", "Första maj"},
		{"05-20", "Kristi himmelsfärdsdag"}, {"05-30", "Pingstdagen"},
		{"05-31", "Annandag pingst"}, {"06-25", "Midsommarafton"},
		{"06-26", "Midsommardagen"}, {"11-06", "Alla helgons dag"},
		{"12-24", "Julafton"}, {"12-25", "Juldagen"},
		{"12-26", "Annandag jul"}, {"12-31", "Nyårsafton"},
	};

	CHECK_YEAR(2004, want);
}

TEST(year_2005)
{
	static const day_t want[] = {
		{"01-01", "Nyårsdagen"}, {"01-06", "Trettondedag jul"},
		{"03-25", "Långfredagen"}, {"03-27", "Påskdagen"},
		{"03-28", "Annandag påsk"}, {"05-01", "Första maj"},
		{"05-05", "Kristi himmelsfärdsdag"}, {"05-15", "Pingstdagen"},
		{"06-06", "Sveriges nationaldag"}, {"06-24", "Midsommarafton"},
		{"06-25", "Midsommardagen"}, {"11-05", "Alla helgons dag"},
		{"12-24", "Julafton"}, {"12-25", "Juldagen"},
		{"12-26", "Annandag jul"}, {"12-31", "Nyårsafton"},
	};

	CHECK_YEAR(2005, want);
}

/* the first year of the 1952 reform: Saturday midsommar and alla helgons dag */
TEST(year_1953)
{
	static const day_t want[] = {
		{"01-01", "Nyårsdagen"}, {"01-06", "Trettondedag jul"},
		{"04-03", "Långfredagen"}, {"04-05", "Påskdagen"},
		{"04-06", "Annandag påsk"}, {"05-01", "Första maj"},
		{"05-14", "Kristi himmelsfärdsdag"}, {"05-24", "Pingstdagen"},
		{"05-25", "Annandag pingst"}, {"06-19", "Midsommarafton"},
		{"06-20", "Midsommardagen"}, {"10-31", "Alla helgons dag"},
		{"12-24", "Julafton"}, {"12-25", "Juldagen"},
		{"12-26", "Annandag jul"}, {"12-31", "Nyårsafton"},
	};

	CHECK_YEAR(1953, want);
}

/* the last year before it: fixed midsommar, Marie bebådelsedag, alla helgons Sunday */
TEST(year_1952)
{
	static const day_t want[] = {
		{"01-01", "Nyårsdagen"}, {"01-06", "Trettondedag jul"},
		{"03-25", "Jungfru Marie bebådelsedag"},
		{"04-11", "Långfredagen"}, {"04-13", "Påskdagen"},
		{"04-14", "Annandag påsk"}, {"05-01", "Första maj"},
		{"05-22", "Kristi himmelsfärdsdag"}, {"06-01", "Pingstdagen"},
		{"06-02", "Annandag pingst"}, {"06-23", "Midsommarafton"},
		{"06-24", "Midsommardagen"}, {"11-02", "Alla helgons dag"},
		{"12-24", "Julafton"}, {"12-25", "Juldagen"},
		{"12-26", "Annandag jul"}, {"12-31", "Nyårsafton"},
	};

	CHECK_YEAR(1952, want);
}

/*
 * första maj from 1939; 25 March before 1953 unless it falls from
 * palmsöndagen to annandag påsk (1937: skärtorsdagen; 1940: annandag påsk;
 * 1951: påskdagen itself)
 */
TEST(before_1953)
{
	holiday_t h;

	CHECK(holiday_name(ts_days_from_civil(1938, 5, 1)) == NULL);
	CHECK_STR(holiday_name(ts_days_from_civil(1939, 5, 1)), "Första maj");
	CHECK_STR(holiday_name(ts_days_from_civil(1938, 3, 25)),
	    "Jungfru Marie bebådelsedag");
	CHECK(holiday_name(ts_days_from_civil(1937, 3, 25)) == NULL);
	CHECK_INT(holiday_find(ts_days_from_civil(1940, 3, 25), &h), 1);
	CHECK_STR(h.name, "Annandag påsk");
	CHECK(h.also == NULL);
	CHECK_INT(holiday_find(ts_days_from_civil(1951, 3, 25), &h), 1);
	CHECK_STR(h.name, "Påskdagen");
	CHECK(h.also == NULL);
	CHECK(holiday_name(ts_days_from_civil(1953, 3, 25)) == NULL);
}

TEST(range)
{
	holiday_t h[HOLIDAY_MAX];

	CHECK_INT(holiday_list(1899, h, HOLIDAY_MAX), -1);
	CHECK_INT(holiday_list(2201, h, HOLIDAY_MAX), -1);
	CHECK(holiday_list(1900, h, HOLIDAY_MAX) > 0);
	CHECK(holiday_list(2200, h, HOLIDAY_MAX) > 0);
	CHECK(holiday_name(ts_days_from_civil(1899, 12, 25)) == NULL);
	CHECK_STR(holiday_name(ts_days_from_civil(2200, 12, 25)), "Juldagen");
	/* max smaller than the count: the count, and only max written */
	CHECK_INT(holiday_list(2026, h, 3), 16);
	CHECK_STR(h[2].name, "Långfredagen");
	CHECK_INT(holiday_list(2026, NULL, 0), 16);
}

/* 2008: Kristi himmelsfärdsdag on första maj, one day, both names */
TEST(same_day)
{
	holiday_t h;

	CHECK_INT(holiday_find(ts_days_from_civil(2008, 5, 1), &h), 1);
	CHECK_STR(h.name, "Första maj");
	CHECK_STR(h.also, "Kristi himmelsfärdsdag");
	CHECK_INT(holiday_list(2008, NULL, 0), 15);
	CHECK_INT(holiday_find(ts_days_from_civil(2008, 5, 2), &h), 0);
}

TEST(name_lookup)
{
	static const struct {
		int y, m, d;
		const char *name;       /* NULL: not a holiday */
		holiday_kind_t kind;
	} cases[] = {
		{2026, 12, 25, "Juldagen", HOLIDAY_PUBLIC},
		{2026, 12, 24, "Julafton", HOLIDAY_EVE},
		{2026, 12, 31, "Nyårsafton", HOLIDAY_EVE},
		{2026, 6, 19, "Midsommarafton", HOLIDAY_EVE},
		{2026, 12, 23, NULL, 0},
		{2026, 12, 27, NULL, 0},
		{2026, 6, 6, "Sveriges nationaldag", HOLIDAY_PUBLIC},
		{2004, 6, 6, NULL, 0},
		{2026, 5, 25, NULL, 0},         /* annandag pingst is gone */
		{2025, 4, 18, "Långfredagen", HOLIDAY_PUBLIC},
		{2025, 4, 21, "Annandag påsk", HOLIDAY_PUBLIC},
		{2025, 5, 29, "Kristi himmelsfärdsdag", HOLIDAY_PUBLIC},
		{2025, 11, 1, "Alla helgons dag", HOLIDAY_PUBLIC},
		{2025, 3, 25, NULL, 0},
		{1950, 6, 23, "Midsommarafton", HOLIDAY_EVE},
		{1950, 6, 24, "Midsommardagen", HOLIDAY_PUBLIC},
		{1950, 11, 1, NULL, 0},
		{1950, 11, 5, "Alla helgons dag", HOLIDAY_PUBLIC},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		holiday_t h;
		int32_t day = ts_days_from_civil(cases[i].y, cases[i].m, cases[i].d);
		const char *got = holiday_name(day);

		if (cases[i].name == NULL) {
			if (got != NULL)
				test_fail(__FILE__, __LINE__, "%d-%02d-%02d: %s, expected none",
				    cases[i].y, cases[i].m, cases[i].d, got);
			continue;
		}
		if (got == NULL || strcmp(got, cases[i].name) != 0 ||
		    holiday_find(day, &h) != 1 || h.kind != cases[i].kind)
			test_fail(__FILE__, __LINE__, "%d-%02d-%02d: %s, expected %s",
			    cases[i].y, cases[i].m, cases[i].d, got ? got : "none",
			    cases[i].name);
	}
}

/* every name the calendar uses over its range, and nothing else */
TEST(every_name)
{
	static const char *const names[] = {
		"Nyårsdagen", "Trettondedag jul", "Jungfru Marie bebådelsedag",
		"Långfredagen", "Påskdagen", "Annandag påsk", "Första maj",
		"Kristi himmelsfärdsdag", "Pingstdagen", "Annandag pingst",
		"Sveriges nationaldag", "Midsommarafton", "Midsommardagen",
		"Alla helgons dag", "Julafton", "Juldagen", "Annandag jul",
		"Nyårsafton",
	};
	enum { NNAMES = sizeof(names) / sizeof(names[0]) };
	int seen[NNAMES] = {0};

	for (int y = HOLIDAY_YEAR_MIN; y <= HOLIDAY_YEAR_MAX; y++) {
		holiday_t h[HOLIDAY_MAX];
		int n = holiday_list(y, h, HOLIDAY_MAX);

		for (int i = 0; i < n; i++) {
			for (int k = 0; k < 2; k++) {
				const char *name = k ? h[i].also : h[i].name;
				int j;

				if (name == NULL)
					continue;
				for (j = 0; j < NNAMES; j++)
					if (strcmp(name, names[j]) == 0)
						break;
				if (j == NNAMES)
					test_fail(__FILE__, __LINE__, "%d: unknown name %s",
					    y, name);
				else
					seen[j]++;
				CHECK(utf8_valid(name, strlen(name)));
			}
			if (i > 0 && h[i].day <= h[i - 1].day)
				test_fail(__FILE__, __LINE__, "%d: not sorted", y);
		}
	}
	for (int j = 0; j < NNAMES; j++)
		if (seen[j] == 0)
			test_fail(__FILE__, __LINE__, "%s never used", names[j]);
	/* the fixed ones every year */
	CHECK_INT(seen[0], 301);        /* Nyårsdagen */
	CHECK_INT(seen[15], 301);       /* Juldagen */
	CHECK_INT(seen[6], 2200 - 1939 + 1);    /* Första maj */
	CHECK_INT(seen[10], 2200 - 2005 + 1);   /* Sveriges nationaldag */
	CHECK_INT(seen[9], 2004 - 1900 + 1);    /* Annandag pingst */
}

/* weekday rules: midsommar on Friday/Saturday, alla helgons dag a Saturday */
TEST(weekday_rules)
{
	for (int y = 1953; y <= HOLIDAY_YEAR_MAX; y++) {
		holiday_t h[HOLIDAY_MAX];
		int n = holiday_list(y, h, HOLIDAY_MAX);

		for (int i = 0; i < n; i++) {
			int yy, m, d, wd = ts_weekday(h[i].day);

			ts_civil_from_days(h[i].day, &yy, &m, &d);
			if (strcmp(h[i].name, "Midsommardagen") == 0 &&
			    (wd != 6 || m != 6 || d < 20 || d > 26))
				test_fail(__FILE__, __LINE__, "%d: Midsommardagen %d-%d", y, m, d);
			if (strcmp(h[i].name, "Midsommarafton") == 0 &&
			    (wd != 5 || m != 6 || d < 19 || d > 25))
				test_fail(__FILE__, __LINE__, "%d: Midsommarafton %d-%d", y, m, d);
			if (strcmp(h[i].name, "Alla helgons dag") == 0 &&
			    (wd != 6 || !((m == 10 && d == 31) || (m == 11 && d <= 6))))
				test_fail(__FILE__, __LINE__, "%d: Alla helgons dag %d-%d", y, m, d);
			if (strcmp(h[i].name, "Långfredagen") == 0 && wd != 5)
				test_fail(__FILE__, __LINE__, "%d: Långfredagen", y);
			if (strcmp(h[i].name, "Kristi himmelsfärdsdag") == 0 && wd != 4)
				test_fail(__FILE__, __LINE__, "%d: Kristi himmelsfärdsdag", y);
		}
	}
}

TEST(easter_known)
{
	static const struct { int y, m, d; } cases[] = {
		{1900, 4, 15}, {1913, 3, 23}, {1943, 4, 25}, {1954, 4, 18},
		{2000, 4, 23}, {2008, 3, 23}, {2011, 4, 24}, {2019, 4, 21},
		{2024, 3, 31}, {2025, 4, 20}, {2026, 4, 5}, {2027, 3, 28},
		{2038, 4, 25},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_INT(holiday_easter(cases[i].y),
		    ts_days_from_civil(cases[i].y, cases[i].m, cases[i].d));
}

/*
 * Gauss's Easter algorithm with Lichtenberg's corrections (1997): shares
 * nothing with the anonymous Gregorian algorithm in holiday.c but the
 * answer. Returns the day of March (32 = 1 April).
 */
static int
easter_gauss(int x)
{
	int k = x / 100;
	int m = 15 + (3 * k + 3) / 4 - (8 * k + 13) / 25;
	int s = 2 - (3 * k + 3) / 4;
	int a = x % 19;
	int d = (19 * a + m) % 30;
	int r = (d + a / 11) / 29;
	int og = 21 + d - r;
	int sz = 7 - (x + x / 4 + s) % 7;
	int oe = 7 - (og - sz) % 7;

	return og + oe;
}

TEST(easter_two_algorithms)
{
	int earliest = 99, latest = 0;

	/* the calendar's range, and well beyond it */
	for (int y = 1583; y <= 4099; y++) {
		int os = easter_gauss(y);
		int32_t want = ts_days_from_civil(y, 3, 1) + os - 1;

		if (holiday_easter(y) != want)
			test_fail(__FILE__, __LINE__, "%d: the algorithms differ", y);
		if (ts_weekday(holiday_easter(y)) != 7)
			test_fail(__FILE__, __LINE__, "%d: Easter is not a Sunday", y);
		if (y >= 1900 && y <= 2200) {
			if (os < earliest)
				earliest = os;
			if (os > latest)
				latest = os;
		}
	}
	CHECK_INT(earliest, 23);        /* 23 March (1913, 2008, 2160); 22 March next in 2285 */
	CHECK_INT(latest, 56);          /* 25 April */
}

TEST_MAIN(year_2026, year_2004, year_2005, year_1953, year_1952,
    before_1953, range, same_day, name_lookup, every_name,
    weekday_rules, easter_known, easter_two_algorithms)
