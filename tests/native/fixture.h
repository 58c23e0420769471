/* fixture.h — reading committed fixture files in the native tests (PyTorch, Pillow/SciPy refs).
 *
 *   size_t len;
 *   char *text = read_text("tests/reference/fixtures/MANIFEST", &len);   // NUL-terminated, or NULL
 *   free(text);
 */
#ifndef WG_FIXTURE_H
#define WG_FIXTURE_H
#include <stdio.h>
#include <stdlib.h>

static inline char *read_text(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
  fclose(f);
  if (buf) buf[n] = 0;
  *len = (size_t)n;
  return buf;
}

#endif
