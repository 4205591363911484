// date.cpp - formatting and parsing of S3/HTTP dates (UTC only).
#include "http/date.h"

#include <cstdio>
#include <cstring>
#include <ctime>

namespace rgw::http {

namespace {

const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool utc(int64_t seconds, struct tm* tm) {
  time_t t = static_cast<time_t>(seconds);
  return gmtime_r(&t, tm) != nullptr;
}

int month_index(const char* m) {
  for (int i = 0; i < 12; ++i)
    if (std::strncmp(m, kMonths[i], 3) == 0) return i;
  return -1;
}

bool to_epoch(int year, int mon, int day, int h, int mi, int s, int64_t* out) {
  if (mon < 0 || day < 1 || day > 31 || h > 23 || mi > 59 || s > 60 || year < 1900) return false;
  struct tm tm {};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon;
  tm.tm_mday = day;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  *out = static_cast<int64_t>(timegm(&tm));
  return true;
}

}  // namespace

std::string iso8601_ms(int64_t epoch_ns) {
  int64_t secs = epoch_ns / 1000000000;
  int ms = static_cast<int>((epoch_ns % 1000000000) / 1000000);
  struct tm tm {};
  if (!utc(secs, &tm)) return "1970-01-01T00:00:00.000Z";
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

std::string http_date(int64_t epoch_seconds) {
  struct tm tm {};
  if (!utc(epoch_seconds, &tm)) return "Thu, 01 Jan 1970 00:00:00 GMT";
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

bool parse_http_date(const std::string& text, int64_t* epoch_seconds) {
  char wd[16], mon[4];
  int day, year, h, mi, s;
  int n = 0;
  const char* t = text.c_str();
  // RFC 1123: "Sun, 06 Nov 1994 08:49:37 GMT"
  if (std::sscanf(t, "%3s, %d %3s %d %d:%d:%d GMT%n", wd, &day, mon, &year, &h, &mi, &s, &n) == 7 &&
      n > 0 && t[n] == '\0')
    return to_epoch(year, month_index(mon), day, h, mi, s, epoch_seconds);
  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
  n = 0;
  if (std::sscanf(t, "%15[A-Za-z], %d-%3s-%d %d:%d:%d GMT%n", wd, &day, mon, &year, &h, &mi, &s,
                  &n) == 7 &&
      n > 0 && t[n] == '\0') {
    if (year < 100) year += year < 70 ? 2000 : 1900;
    return to_epoch(year, month_index(mon), day, h, mi, s, epoch_seconds);
  }
  // asctime: "Sun Nov  6 08:49:37 1994"
  n = 0;
  if (std::sscanf(t, "%3s %3s %d %d:%d:%d %d%n", wd, mon, &day, &h, &mi, &s, &year, &n) == 7 &&
      n > 0 && t[n] == '\0')
    return to_epoch(year, month_index(mon), day, h, mi, s, epoch_seconds);
  return false;
}

}  // namespace rgw::http
