/* test_json.c — the strict JSON reader (values, every rejection rule, error offsets, no leaks on
 * failure) and the wg_strbuf builder (growth, escaping that the reader decodes back exactly). */
#include "test.h"
#include "json.h"
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Parses `len` bytes and expects WG_ERR_FORMAT, a NULL doc and `needle` in the message. */
static int json_fails_n(const char *text, size_t len, const char *needle) {
  wg_json *doc = (wg_json *)&doc;  /* non-NULL sentinel: the parser must reset it */
  wg_status st = wg_json_parse(text, len, &doc);
  if (st == WG_ERR_FORMAT && doc == NULL && strstr(wg_last_error(), needle)) return 1;
  fprintf(stderr, "  input <%.*s>: status %d, doc %p, message \"%s\", wanted \"%s\"\n", (int)len, text, (int)st,
          (void *)doc, wg_last_error(), needle);
  if (st == WG_OK) wg_json_free(doc);
  return 0;
}
static int json_fails(const char *text, const char *needle) { return json_fails_n(text, strlen(text), needle); }

static wg_json *parse(const char *text) {
  wg_json *doc = NULL;
  if (wg_json_parse(text, strlen(text), &doc) != WG_OK) {
    fprintf(stderr, "  input <%s>: %s\n", text, wg_last_error());
    return NULL;
  }
  return doc;
}

static void test_json_values(void) {
  const char *text = " {\"b\": [1, -2.5e3, true, false, null, \"x\"], \"a\": {}, \"c\": [], \"b\": 7}\r\n\t";
  wg_json *doc = parse(text);
  CHECK(doc && doc->type == WG_JSON_OBJECT && doc->length == 4);
  /* Keys keep document order, duplicates included. */
  CHECK(!strcmp(doc->keys[0], "b") && !strcmp(doc->keys[1], "a") && !strcmp(doc->keys[2], "c") &&
        !strcmp(doc->keys[3], "b"));
  const wg_json *b = wg_json_get(doc, "b");  /* first match */
  CHECK(b == &doc->items[0] && b->type == WG_JSON_ARRAY && b->length == 6);
  CHECK(b->items[0].type == WG_JSON_NUMBER && b->items[0].number == 1.0);
  CHECK(b->items[1].type == WG_JSON_NUMBER && b->items[1].number == -2500.0);
  CHECK(b->items[2].type == WG_JSON_BOOL && b->items[2].boolean == 1);
  CHECK(b->items[3].type == WG_JSON_BOOL && b->items[3].boolean == 0);
  CHECK(b->items[4].type == WG_JSON_NULL);
  CHECK(b->items[5].type == WG_JSON_STRING && !strcmp(b->items[5].string, "x") && b->items[5].length == 1);
  const wg_json *a = wg_json_get(doc, "a"), *c = wg_json_get(doc, "c");
  CHECK(a && a->type == WG_JSON_OBJECT && a->length == 0);
  CHECK(c && c->type == WG_JSON_ARRAY && c->length == 0);
  CHECK(wg_json_get(doc, "missing") == NULL);
  CHECK(wg_json_get(b, "b") == NULL);  /* not an object */
  CHECK(wg_json_get(NULL, "b") == NULL);
  wg_json_free(doc);

  /* Any value may be the top level. */
  doc = parse("  42 ");
  CHECK(doc && doc->type == WG_JSON_NUMBER && doc->number == 42.0);
  wg_json_free(doc);
  doc = parse("\"s\"");
  CHECK(doc && doc->type == WG_JSON_STRING && !strcmp(doc->string, "s"));
  wg_json_free(doc);
  doc = parse("null");
  CHECK(doc && doc->type == WG_JSON_NULL);
  wg_json_free(doc);
  wg_json_free(NULL);
}

static void test_json_exact_length(void) {
  /* Only `len` bytes are read: what follows is not the parser's business... */
  wg_json *doc = NULL;
  CHECK(wg_json_parse("[1]garbage", 3, &doc) == WG_OK && doc && doc->length == 1);
  wg_json_free(doc);
  /* ...but a NUL inside the range is garbage, not a terminator. */
  CHECK(json_fails_n("[1]\0", 4, "trailing"));
  CHECK(json_fails_n("\"ab\0c\"", 6, "control character 0x00"));
  /* The bytes need not be NUL-terminated: a string cut at len is unterminated. */
  CHECK(json_fails_n("\"abc\"", 4, "unterminated"));
  CHECK(json_fails_n("tru", 3, "expected a value"));
  CHECK(json_fails_n("", 0, "end of input"));
}

static void test_json_numbers(void) {
  static const struct { const char *text; double value; } ok[] = {
    {"0", 0.0}, {"-0", -0.0}, {"1e3", 1000.0}, {"1E+3", 1000.0}, {"1.5e-2", 0.015}, {"-12.25", -12.25},
    {"0.1", 0.1}, {"2.5E0", 2.5}, {"1e-400", 0.0}, {"4.9406564584124654e-324", 4.9406564584124654e-324},
    {"1.7976931348623157e308", 1.7976931348623157e308}, {"9007199254740993", 9007199254740992.0},
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    wg_json *doc = parse(ok[i].text);
    CHECK_MSG(doc && doc->type == WG_JSON_NUMBER && doc->number == ok[i].value &&
                  signbit(doc->number) == signbit(ok[i].value), "%s", ok[i].text);
    wg_json_free(doc);
  }
  /* strtod would accept most of these; the grammar check must not. */
  static const char *bad[] = {"01", "-01", "1.", ".5", "+1", "-", "1e", "1e+", "1.e3", "0x10", "Infinity",
                              "-Infinity", "NaN", "nan", "inf", "1,5", "- 1", "1.5.2", "1e5e5"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) CHECK(json_fails(bad[i], "json: "));
  CHECK(json_fails("[1.]", "expected a digit in number) at byte 3"));
  CHECK(json_fails("1e309", "overflows a double at byte 0"));
  CHECK(json_fails("[0, -1e400000]", "overflows a double at byte 4"));
  CHECK(json_fails("{\"lr\": 17976931348623159e292}", "overflows"));

  char big[700];
  memset(big, '1', sizeof big - 1);
  big[sizeof big - 1] = 0;
  CHECK(json_fails(big, "number too long"));
  big[0] = '0', big[1] = '.';  /* 0.111...: long, in range, still refused (bounded copy) */
  CHECK(json_fails(big, "number too long"));
  big[400] = 0;
  wg_json *doc = parse(big);  /* 400 characters fits the bound */
  CHECK(doc && doc->type == WG_JSON_NUMBER && fabs(doc->number - 1.0 / 9.0) < 1e-15);
  wg_json_free(doc);
}

static void test_json_locale(void) {
  /* In a locale with a decimal comma strtod alone would stop at '.'; the reader must not. */
  const char *names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "de_DE"};
  const char *set = NULL;
  for (size_t i = 0; i < 4 && !set; i++) set = setlocale(LC_NUMERIC, names[i]);
  wg_json *doc = parse("[1.5, -0.25e1]");
  int ok = doc && doc->items[0].number == 1.5 && doc->items[1].number == -2.5;
  wg_json_free(doc);
  setlocale(LC_NUMERIC, "C");
  CHECK(ok);
  if (!set) printf("  (no decimal-comma locale installed; checked in the C locale only)\n");
}

static void test_json_strings(void) {
  wg_json *doc = parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t\"");
  CHECK(doc && !strcmp(doc->string, "q\" b\\ s/ \b\f\n\r\t"));
  wg_json_free(doc);

  /* \u escapes become UTF-8: 1, 2 and 3 bytes, a surrogate pair to 4, and raw UTF-8 is kept. */
  doc = parse("\"\\u0041\\u00e9\\u20AC\\uD83D\\uDE00|\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"");
  CHECK(doc && doc->type == WG_JSON_STRING);
  CHECK(!strcmp(doc->string, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80|\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
  CHECK(doc->length == 20);
  wg_json_free(doc);
  doc = parse("\"\\uDBFF\\uDFFF\"");  /* U+10FFFF, the last code point */
  CHECK(doc && !strcmp(doc->string, "\xF4\x8F\xBF\xBF"));
  wg_json_free(doc);

  /* \u0000 is a real byte: length counts it. */
  doc = parse("\"a\\u0000b\"");
  CHECK(doc && doc->length == 3 && !memcmp(doc->string, "a\0b", 4));
  wg_json_free(doc);

  CHECK(json_fails("\"\\x41\"", "invalid escape '\\x' at byte 1"));
  CHECK(json_fails("\"ab\\'\"", "invalid escape"));
  CHECK(json_fails("\"\\u12G4\"", "invalid \\u escape"));
  CHECK(json_fails("\"\\u12\"", "invalid \\u escape"));
  CHECK(json_fails("\"\\U0041\"", "invalid escape '\\U'"));
  CHECK(json_fails("\"\\uD800\"", "lone high surrogate"));
  CHECK(json_fails("\"\\uD800x\"", "lone high surrogate"));
  CHECK(json_fails("\"\\uD800\\u0041\"", "lone high surrogate"));
  CHECK(json_fails("\"\\uD800\\uD800\"", "lone high surrogate"));
  CHECK(json_fails("\"\\uDC00\"", "lone low surrogate"));
  CHECK(json_fails("\"\\uD83D\\uDE00\\uDE00\"", "lone low surrogate \\uDE00 at byte 13"));
  CHECK(json_fails("\"line\nbreak\"", "control character 0x0a in string at byte 5"));
  CHECK(json_fails("\"tab\there\"", "control character 0x09"));
  CHECK(json_fails("\"\x1f\"", "control character 0x1f"));
  CHECK(json_fails("\"abc", "unterminated string starting at byte 0"));
  CHECK(json_fails("\"abc\\\"", "unterminated"));
  CHECK(json_fails("[\"abc\\", "unterminated string starting at byte 1"));
  /* Malformed UTF-8: bad continuation, overlong, encoded surrogate, above U+10FFFF, truncated. */
  CHECK(json_fails("\"\xC3\x28\"", "invalid UTF-8 in string at byte 1"));
  CHECK(json_fails("\"\xC0\x80\"", "invalid UTF-8"));
  CHECK(json_fails("\"\xE0\x80\xAF\"", "invalid UTF-8"));
  CHECK(json_fails("\"\xED\xA0\x80\"", "invalid UTF-8"));
  CHECK(json_fails("\"\xF4\x90\x80\x80\"", "invalid UTF-8"));
  CHECK(json_fails("\"\xE2\x82\"", "invalid UTF-8"));
  CHECK(json_fails("\"\xFF\"", "invalid UTF-8"));
}

static void test_json_structure_errors(void) {
  CHECK(json_fails("[1,]", "unexpected character ']' (expected a value) at byte 3"));
  CHECK(json_fails("{\"a\":1,}", "expected a string key) at byte 7"));
  CHECK(json_fails("{\"a\" 1}", "expected ':'"));
  CHECK(json_fails("{a:1}", "expected a string key"));
  CHECK(json_fails("{1:1}", "expected a string key"));
  CHECK(json_fails("[1 2]", "expected ',' or ']'"));
  CHECK(json_fails("{\"a\":1 \"b\":2}", "expected ',' or '}'"));
  CHECK(json_fails("[1}", "expected ',' or ']'"));
  CHECK(json_fails("{\"a\":1]", "expected ',' or '}'"));
  CHECK(json_fails("", "unexpected end of input"));
  CHECK(json_fails("  \n ", "unexpected end of input"));
  CHECK(json_fails("{", "unexpected end of input"));
  CHECK(json_fails("[", "unexpected end of input"));
  CHECK(json_fails("{\"a\":", "unexpected end of input"));
  CHECK(json_fails("nul", "expected a value"));
  CHECK(json_fails("True", "expected a value"));
  CHECK(json_fails("'a'", "expected a value"));
  CHECK(json_fails("[1,\x01]", "unexpected byte 0x01"));
  CHECK(json_fails("\xEF\xBB\xBF{}", "unexpected byte 0xef"));  /* a BOM is not JSON */
  CHECK(json_fails("[1]\x0c", "trailing"));  /* form feed is not JSON whitespace */
  /* Trailing garbage after a complete value. */
  CHECK(json_fails("{} x", "trailing characters after the value at byte 3"));
  CHECK(json_fails("1 2", "trailing characters after the value at byte 2"));
  CHECK(json_fails("[1],", "trailing"));
  CHECK(json_fails("truex", "trailing"));
  CHECK(json_fails("{}{}", "trailing"));
  CHECK(json_fails("\"a\"\"b\"", "trailing"));
}

static char *nested(int depth, const char *open, const char *inner, const char *close) {
  size_t lo = strlen(open), li = strlen(inner), lc = strlen(close);
  char *s = malloc((size_t)depth * (lo + lc) + li + 1), *p = s;
  if (!s) return NULL;
  for (int i = 0; i < depth; i++, p += lo) memcpy(p, open, lo);
  memcpy(p, inner, li), p += li;
  for (int i = 0; i < depth; i++, p += lc) memcpy(p, close, lc);
  *p = 0;
  return s;
}

static void test_json_depth(void) {
  char *s = nested(64, "[", "1", "]");
  CHECK(s);
  wg_json *doc = parse(s);
  free(s);
  CHECK(doc);
  const wg_json *v = doc;
  int depth = 0;
  while (v->type == WG_JSON_ARRAY) v = &v->items[0], depth++;
  CHECK(depth == 64 && v->type == WG_JSON_NUMBER);
  wg_json_free(doc);

  s = nested(65, "[", "1", "]");
  CHECK(s);
  int failed = json_fails(s, "nesting deeper than 64 levels at byte 64");
  free(s);
  CHECK(failed);

  /* Objects count too, and mixed nesting; the failure frees every level built so far. */
  s = nested(64, "{\"k\":[1,2,", "3", "]}");
  CHECK(s);
  failed = json_fails(s, "nesting deeper than 64");  /* 128 levels */
  free(s);
  CHECK(failed);
  s = nested(32, "{\"k\":[1,2,", "3", "]}");
  CHECK(s);
  doc = parse(s);  /* exactly 64 levels */
  free(s);
  CHECK(doc);
  wg_json_free(doc);

  /* A hostile run of brackets fails at the limit instead of exhausting the stack. */
  size_t n = 1000000;
  s = malloc(n);
  CHECK(s);
  memset(s, '[', n);
  failed = json_fails_n(s, n, "nesting deeper than 64");
  free(s);
  CHECK(failed);
}

static void test_json_failure_frees(void) {
  /* Errors late in big documents must release every string, key and array built before them
   * (LeakSanitizer / valgrind turn a leak here into a failure). */
  wg_strbuf sb = {0};
  wg_strbuf_puts(&sb, "{");
  for (int i = 0; i < 200; i++)
    wg_strbuf_printf(&sb, "\"key%d\": {\"s\": \"value %d\", \"a\": [%d, [\"x\", {\"y\": null}]]}, ", i, i, i);
  CHECK(!sb.failed);
  size_t prefix = sb.len;
  static const char *tails[] = {"\"bad\": [1, 2, \"\\q\"]}", "\"k\": tru}", "\"k\": [1, 2]", "\"k\": {\"x\": 1e999}}",
                                "\"k\" 1}", "\"k\": 1} 0"};
  for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
    sb.len = prefix;
    wg_strbuf_puts(&sb, tails[i]);
    CHECK(!sb.failed);
    wg_json *doc = NULL;
    CHECK(wg_json_parse(sb.data, sb.len, &doc) == WG_ERR_FORMAT && doc == NULL);
  }
  sb.len = prefix;
  wg_strbuf_puts(&sb, "\"last\": 0}");
  wg_json *doc = NULL;
  CHECK(wg_json_parse(sb.data, sb.len, &doc) == WG_OK && doc->length == 201);
  CHECK(!strcmp(doc->keys[199], "key199") && !strcmp(wg_json_get(&doc->items[123], "s")->string, "value 123"));
  wg_json_free(doc);

  /* Every proper prefix of the document is invalid and must fail cleanly. */
  for (size_t cut = 0; cut < sb.len; cut += 7) {
    doc = NULL;
    CHECK_MSG(wg_json_parse(sb.data, cut, &doc) == WG_ERR_FORMAT && doc == NULL, "cut at %zu", cut);
  }
  free(sb.data);
}

static void test_json_mutations(void) {
  /* Every single-byte change of a small document parses or fails cleanly (ASan checks reads). */
  const char base[] = "{\"a\":[1.5e3,-2,true,null,\"x\\u00e9\\n\"],\"b\":{\"c\":\"\\uD83D\\uDE00\"}}";
  static const char repl[] = "\"\\{}[],:0-.eE+uDx \x01\x80\xC3\xF0";
  char buf[sizeof base];
  size_t ok = 0;
  for (size_t i = 0; i < sizeof base - 1; i++)
    for (size_t r = 0; r < sizeof repl - 1; r++) {
      memcpy(buf, base, sizeof base);
      buf[i] = repl[r];
      wg_json *doc = NULL;
      wg_status st = wg_json_parse(buf, sizeof base - 1, &doc);
      CHECK((st == WG_OK) == (doc != NULL) && (st == WG_OK || st == WG_ERR_FORMAT));
      ok += st == WG_OK;
      wg_json_free(doc);
    }
  CHECK(ok > 0);
}

static void test_strbuf(void) {
  wg_strbuf sb = {0};
  wg_strbuf_puts(&sb, "");
  CHECK(sb.data && sb.len == 0 && sb.data[0] == 0);  /* NUL-terminated even when empty */
  for (int i = 0; i < 1000; i++) wg_strbuf_printf(&sb, "%d,", i % 10);
  CHECK(!sb.failed && sb.len == 2000 && strlen(sb.data) == 2000);
  CHECK(!strncmp(sb.data, "0,1,2,", 6) && !strcmp(sb.data + 1994, "7,8,9,"));
  wg_strbuf_putn(&sb, "abcdef", 3);
  CHECK(sb.len == 2003 && !strcmp(sb.data + 2000, "abc"));
  free(sb.data);

  /* One printf much larger than the current capacity (the retry path). */
  wg_strbuf big = {0};
  wg_strbuf_puts(&big, "x");
  char chunk[5000];
  memset(chunk, 'y', sizeof chunk - 1);
  chunk[sizeof chunk - 1] = 0;
  wg_strbuf_printf(&big, "[%s]%d", chunk, 42);
  CHECK(!big.failed && big.len == 1 + 1 + 4999 + 1 + 2 && strlen(big.data) == big.len);
  CHECK(big.data[0] == 'x' && big.data[1] == '[' && !strcmp(big.data + 5001, "]42"));
  free(big.data);

  /* A failed builder ignores further appends. */
  wg_strbuf f = {0};
  f.failed = 1;
  wg_strbuf_puts(&f, "abc");
  wg_strbuf_printf(&f, "%d", 1);
  CHECK(f.data == NULL && f.len == 0);
}

static void test_strbuf_json_string(void) {
  wg_strbuf sb = {0};
  wg_strbuf_json_string(&sb, "a\"b\\c\nd\te\x01\x1f/\x7f\xC3\xA9");
  CHECK(!sb.failed);
  CHECK_MSG(!strcmp(sb.data, "\"a\\\"b\\\\c\\nd\\te\\u0001\\u001f/\x7f\xC3\xA9\""), "%s", sb.data);
  free(sb.data);

  /* Every ASCII byte plus multi-byte UTF-8 survives escape-then-parse unchanged. */
  char src[160];
  size_t n = 0;
  for (int c = 1; c < 128; c++) src[n++] = (char)c;
  memcpy(src + n, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 9), n += 9;
  src[n] = 0;
  sb = (wg_strbuf){0};
  wg_strbuf_puts(&sb, "{\"k\":");
  wg_strbuf_json_string(&sb, src);
  wg_strbuf_puts(&sb, "}");
  CHECK(!sb.failed);
  for (size_t i = 0; i < sb.len; i++) CHECK((unsigned char)sb.data[i] >= 0x20);  /* no raw controls */
  wg_json *doc = NULL;
  CHECK(wg_json_parse(sb.data, sb.len, &doc) == WG_OK);
  free(sb.data);
  const wg_json *k = wg_json_get(doc, "k");
  int same = k && k->type == WG_JSON_STRING && k->length == n && !memcmp(k->string, src, n + 1);
  wg_json_free(doc);
  CHECK(same);

  sb = (wg_strbuf){0};
  wg_strbuf_json_string(&sb, "");
  CHECK(sb.data && !strcmp(sb.data, "\"\"") && sb.len == 2);
  free(sb.data);
}

void suite_json(void) {
  RUN(test_json_values);
  RUN(test_json_exact_length);
  RUN(test_json_numbers);
  RUN(test_json_locale);
  RUN(test_json_strings);
  RUN(test_json_structure_errors);
  RUN(test_json_depth);
  RUN(test_json_failure_frees);
  RUN(test_json_mutations);
  RUN(test_strbuf);
  RUN(test_strbuf_json_string);
}
