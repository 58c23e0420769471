/* test.h — the tiny harness behind the native C tests.
 *
 * Each suite file defines `void suite_NAME(void)` that calls TEST(name) { ... } blocks via
 * CHECK macros; tests/native/main.c lists the suites. A failed CHECK prints file:line and the
 * condition, marks the current test failed and returns from the test function.
 *
 *   static void test_add(void) { CHECK(1 + 1 == 2); CHECK_NEAR(0.1f + 0.2f, 0.3f, 1e-6); }
 *   void suite_math(void) { RUN(test_add); }
 */
#ifndef WG_TEST_H
#define WG_TEST_H
#include <math.h>
#include <stdio.h>

extern int wg_test_failed_flag;
extern int wg_tests_passed, wg_tests_failed;

#define CHECK(cond) do { if (!(cond)) { \
    fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
    wg_test_failed_flag = 1; return; } } while (0)

#define CHECK_MSG(cond, ...) do { if (!(cond)) { \
    fprintf(stderr, "  FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); \
    wg_test_failed_flag = 1; return; } } while (0)

#define CHECK_NEAR(a, b, tol) do { double wg__a = (a), wg__b = (b); \
    if (!(fabs(wg__a - wg__b) <= (tol))) { \
    fprintf(stderr, "  FAIL %s:%d: %s = %.9g, %s = %.9g, tol %g\n", __FILE__, __LINE__, \
            #a, wg__a, #b, wg__b, (double)(tol)); \
    wg_test_failed_flag = 1; return; } } while (0)

#define RUN(fn) do { wg_test_failed_flag = 0; fn(); \
    if (wg_test_failed_flag) { wg_tests_failed++; fprintf(stderr, "not ok %s\n", #fn); } \
    else { wg_tests_passed++; printf("ok %s\n", #fn); } } while (0)

#endif
