/*
 * holiday.c: Swedish public holidays by the rules in force in each year.
 *
 * The rules, and where they come from:
 *
 *  - Lag (1989:253) om allmänna helgdagar, in force from 1990, as amended
 *    by Lag (2004:1320) from 1 April 2005: nyårsdagen 1 January, trettondedag
 *    jul 6 January, långfredagen, påskdagen, annandag påsk, första maj,
 *    Kristi himmelsfärdsdag (the sixth Thursday after Easter), pingstdagen
 *    (the seventh Sunday after Easter), nationaldagen 6 June (from 2005),
 *    midsommardagen (the Saturday 20-26 June), alla helgons dag (the
 *    Saturday 31 October-6 November), juldagen, annandag jul. Annandag
 *    pingst was on the list until the 2004 amendment (prop. 2004/05:23:
 *    "Nationaldagen införs ... Annandag pingst utgår"), so its last year is
 *    2004: the amendment took effect before Whitsun 2005.
 *  - The 1989 law restated the rules that the 1952 reform (in force from
 *    1953) had set: midsommardagen moved from 24 June to the Saturday
 *    20-26 June (midsommarafton from 23 June to the Friday before), the
 *    Saturday 31 October-6 November became alla helgons dag, and jungfru
 *    Marie bebådelsedag moved from 25 March to a Sunday and stopped being a
 *    day of its own. Sources: N.-A. Bringéus, Årets festseder, as cited by
 *    svenskahogtider.com ("Har midsommar varit på samma datum varje år?",
 *    "Vad innebar kalenderreformen 1953?"); Nationalencyklopedin, "Marie
 *    bebådelsedag" ("flyttad till närmaste söndag vid helgdagsreformen
 *    1952").
 *  - Before 1953: midsommardagen 24 June; alla helgons dag on the first
 *    Sunday of November, where the 1772 reduction of holidays had put it;
 *    jungfru Marie bebådelsedag on 25 March. When 25 March fell between
 *    palmsöndagen and annandag påsk the feast was moved, and to which day is
 *    not modelled here: in those years (1902, 1907, 1910, 1918, 1921, 1923,
 *    1929, 1932, 1934, 1937, 1940, 1945, 1948, 1951) it is not listed.
 *  - Första maj has been an allmän helgdag since 1939.
 *  - Trettondedag jul, långfredagen, påskdagen, annandag påsk, Kristi
 *    himmelsfärdsdag, pingstdagen, juldagen and annandag jul were holidays
 *    throughout 1900-2200 (none of the reforms above touched them).
 *  - The eves: Semesterlag (1977:480) counts midsommarafton, julafton and
 *    nyårsafton as Sundays; they are listed for every year, midsommarafton
 *    as the day before midsommardagen.
 *
 * Easter Sunday is computed with the anonymous Gregorian algorithm (Meeus,
 * Astronomical Algorithms, ch. 8); tests/unit/test_holiday.c checks it
 * against Gauss's algorithm with Lichtenberg's corrections.
 */
#include "holiday.h"
#include "ts.h"

#include <stdbool.h>

/* the reforms, as the first year each rule applied */
#define HOLIDAY_FIRST_MAY_FROM   1939
#define HOLIDAY_REFORM_1953      1953   /* Saturday midsommar, alla helgons dag */
#define HOLIDAY_NATIONALDAG_FROM 2005   /* and the end of annandag pingst */

static const char N_NYARSDAGEN[] = "Nyårsdagen";
static const char N_TRETTONDEDAG[] = "Trettondedag jul";
static const char N_MARIE[] = "Jungfru Marie bebådelsedag";
static const char N_LANGFREDAGEN[] = "Långfredagen";
static const char N_PASKDAGEN[] = "Påskdagen";
static const char N_ANNANDAG_PASK[] = "Annandag påsk";
static const char N_FORSTA_MAJ[] = "Första maj";
static const char N_KRISTI[] = "Kristi himmelsfärdsdag";
static const char N_PINGSTDAGEN[] = "Pingstdagen";
static const char N_ANNANDAG_PINGST[] = "Annandag pingst";
static const char N_NATIONALDAG[] = "Sveriges nationaldag";
static const char N_MIDSOMMARAFTON[] = "Midsommarafton";
static const char N_MIDSOMMARDAGEN[] = "Midsommardagen";
static const char N_ALLA_HELGONS[] = "Alla helgons dag";
static const char N_JULAFTON[] = "Julafton";
static const char N_JULDAGEN[] = "Juldagen";
static const char N_ANNANDAG_JUL[] = "Annandag jul";
static const char N_NYARSAFTON[] = "Nyårsafton";

int32_t
holiday_easter(int year)
{
	int a = year % 19, b = year / 100, c = year % 100;
	int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int n = h + l - 7 * m + 114;

	return ts_days_from_civil(year, n / 31, n % 31 + 1);
}

/* the first day on or after day that is ISO weekday wd */
static int32_t
weekday_on_or_after(int32_t day, int wd)
{
	return day + (wd - ts_weekday(day) + 7) % 7;
}

/* Adds a day in date order, merging a second holiday on the same day. */
static void
holiday_add(holiday_t *all, int *n, int32_t day, const char *name,
    holiday_kind_t kind)
{
	int i = *n;

	for (int j = 0; j < *n; j++) {
		if (all[j].day == day) {
			if (all[j].also == NULL)
				all[j].also = name;
			return;
		}
	}
	while (i > 0 && all[i - 1].day > day) {
		all[i] = all[i - 1];
		i--;
	}
	all[i] = (holiday_t){day, name, NULL, kind};
	(*n)++;
}

int
holiday_list(int year, holiday_t *out, size_t max)
{
	holiday_t all[HOLIDAY_MAX];
	int n = 0;
	int32_t easter, midsommar, helgon, marie;
	const holiday_kind_t P = HOLIDAY_PUBLIC, E = HOLIDAY_EVE;

	if (year < HOLIDAY_YEAR_MIN || year > HOLIDAY_YEAR_MAX)
		return -1;
	easter = holiday_easter(year);
	if (year >= HOLIDAY_REFORM_1953) {
		midsommar = weekday_on_or_after(ts_days_from_civil(year, 6, 20), 6);
		helgon = weekday_on_or_after(ts_days_from_civil(year, 10, 31), 6);
	} else {
		midsommar = ts_days_from_civil(year, 6, 24);
		helgon = weekday_on_or_after(ts_days_from_civil(year, 11, 1), 7);
	}

	/* in the order of the law's list, so that a merged day names the
	 * fixed holiday first */
	holiday_add(all, &n, ts_days_from_civil(year, 1, 1), N_NYARSDAGEN, P);
	holiday_add(all, &n, ts_days_from_civil(year, 1, 6), N_TRETTONDEDAG, P);
	if (year >= HOLIDAY_FIRST_MAY_FROM)
		holiday_add(all, &n, ts_days_from_civil(year, 5, 1), N_FORSTA_MAJ, P);
	holiday_add(all, &n, ts_days_from_civil(year, 12, 25), N_JULDAGEN, P);
	holiday_add(all, &n, ts_days_from_civil(year, 12, 26), N_ANNANDAG_JUL, P);
	marie = ts_days_from_civil(year, 3, 25);
	if (year < HOLIDAY_REFORM_1953 && !(marie >= easter - 7 && marie <= easter + 1))
		holiday_add(all, &n, marie, N_MARIE, P);
	holiday_add(all, &n, easter - 2, N_LANGFREDAGEN, P);
	holiday_add(all, &n, easter, N_PASKDAGEN, P);
	holiday_add(all, &n, easter + 1, N_ANNANDAG_PASK, P);
	holiday_add(all, &n, easter + 39, N_KRISTI, P);
	holiday_add(all, &n, easter + 49, N_PINGSTDAGEN, P);
	if (year < HOLIDAY_NATIONALDAG_FROM)
		holiday_add(all, &n, easter + 50, N_ANNANDAG_PINGST, P);
	else
		holiday_add(all, &n, ts_days_from_civil(year, 6, 6), N_NATIONALDAG, P);
	holiday_add(all, &n, midsommar, N_MIDSOMMARDAGEN, P);
	holiday_add(all, &n, helgon, N_ALLA_HELGONS, P);
	holiday_add(all, &n, midsommar - 1, N_MIDSOMMARAFTON, E);
	holiday_add(all, &n, ts_days_from_civil(year, 12, 24), N_JULAFTON, E);
	holiday_add(all, &n, ts_days_from_civil(year, 12, 31), N_NYARSAFTON, E);

	for (int i = 0; i < n && (size_t)i < max; i++)
		out[i] = all[i];
	return n;
}

int
holiday_find(int32_t day, holiday_t *out)
{
	holiday_t list[HOLIDAY_MAX];
	int y, m, d, n;

	ts_civil_from_days(day, &y, &m, &d);
	if ((n = holiday_list(y, list, HOLIDAY_MAX)) <= 0)
		return 0;
	for (int i = 0; i < n; i++) {
		if (list[i].day == day) {
			if (out)
				*out = list[i];
			return 1;
		}
	}
	return 0;
}

const char *
holiday_name(int32_t day)
{
	holiday_t h;

	return holiday_find(day, &h) ? h.name : NULL;
}
