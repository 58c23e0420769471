/* mathf.h — our own expf, logf, tanhf and friends.
 *
 * glibc and Emscripten's musl round the last bit of expf/logf/tanhf differently, which would break
 * bit-identical training across builds. These versions use only +, -, *, / and exact bit
 * manipulation, so every build computes the same bits. Accuracy against double-precision libm
 * (tested): expf, logf, tanhf within 2 ulp; log1pf within 3 ulp; sigmoid within 3 ulp.
 *
 *   float y = wg_expf(x);   float s = wg_sigmoidf(x);   float l = wg_log1pf(x);
 */
#ifndef WG_MATHF_H
#define WG_MATHF_H

float wg_expf(float x);
float wg_logf(float x);
float wg_log1pf(float x);
float wg_tanhf(float x);
float wg_sigmoidf(float x);
/* log(1 + exp(x)) without overflow. */
float wg_softplusf(float x);

#endif
