/* loss.h — losses: value and gradient in one pass.
 *
 * Each returns the SUM of per-element losses (as double, summed in a fixed order) and, when
 * grad is not NULL, WRITES grad[i] = scale * d(loss_i)/d(input_i). Callers pick `scale` to get a
 * mean (1/n) or a per-image sum (1/batch).
 *
 *   double l = wg_bce_logits(dlogits, logits, NULL, 1.f, n, 1.f / n);  // targets all 1
 */
#ifndef WG_LOSS_H
#define WG_LOSS_H

/* Binary cross-entropy on logits: max(x,0) - x*t + log(1 + exp(-|x|)). Targets come from
 * `targets` or, when it is NULL, the constant `target`. */
double wg_bce_logits(float *grad, const float *logits, const float *targets, float target, int n,
                     float scale);
double wg_mse(float *grad, const float *pred, const float *target, int n, float scale);
double wg_l1(float *grad, const float *pred, const float *target, int n, float scale);
/* KL( N(mu, exp(logvar)) || N(0, 1) ) = -0.5 * sum(1 + logvar - mu^2 - exp(logvar)). */
double wg_gaussian_kl(float *dmu, float *dlogvar, const float *mu, const float *logvar, int n,
                      float scale);
/* Softmax cross-entropy over rows of `classes` logits: sum of -log softmax(x)[label]. probs
 * (n, classes), when not NULL, receives the softmax; labels must lie in [0, classes);
 * with labels NULL only probs are written (loss 0). */
double wg_softmax_xent(float *grad, float *probs, const float *logits, const int *labels, int n,
                       int classes, float scale);

#endif
