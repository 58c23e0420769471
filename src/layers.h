/* layers.h — forward/backward pairs of the network layers, side by side.
 *
 * Argument order follows llm.c: outputs, inputs, weights, sizes. Tensors are float32, batch-major.
 * Backward ADDS into parameter gradients (dw, db, dgamma, dbeta: the caller zeroes them once per
 * step) and WRITES the input gradient din (pass NULL to skip it, e.g. for the first layer).
 *
 *   wg_dense_forward(y, x, w, b, B, IN, OUT);
 *   wg_dense_backward(dx, dw, db, dy, x, w, B, IN, OUT);
 */
#ifndef WG_LAYERS_H
#define WG_LAYERS_H
#include "rng.h"

/* y (B, OUT) = x (B, IN) · wᵀ + b;  w (OUT, IN) as PyTorch's nn.Linear, b (OUT) or NULL. */
void wg_dense_forward(float *y, const float *x, const float *w, const float *b, int B, int IN, int OUT);
void wg_dense_backward(float *dx, float *dw, float *db, const float *dy, const float *x,
                       const float *w, int B, int IN, int OUT);

/* Element-wise activations over n values. Forward may run in place (y == x). Backward reads the
 * output y only (y > 0 exactly when x > 0 for slopes >= 0), so the input need not be kept. */
void wg_relu_forward(float *y, const float *x, int n);
void wg_relu_backward(float *dx, const float *dy, const float *y, int n);
void wg_leaky_relu_forward(float *y, const float *x, int n, float slope);
void wg_leaky_relu_backward(float *dx, const float *dy, const float *y, int n, float slope);
void wg_tanh_forward(float *y, const float *x, int n);
void wg_tanh_backward(float *dx, const float *dy, const float *y, int n);
void wg_sigmoid_forward(float *y, const float *x, int n);
void wg_sigmoid_backward(float *dx, const float *dy, const float *y, int n);

/* Batch norm over layout (B, C, S): statistics per channel c over batch and S spatial positions
 * (S = 1 after a dense layer). Training mode uses the batch statistics, saves xhat (B, C, S) and
 * invstd (C) for backward, and updates the running statistics Keras-style:
 *   running = momentum * running + (1 - momentum) * batch   (variance unbiased, as PyTorch).
 * Eval mode (xhat/invstd may be NULL) normalises with the running statistics. */
void wg_batchnorm_forward_train(float *y, float *xhat, float *invstd, const float *x,
                                const float *gamma, const float *beta, float *run_mean,
                                float *run_var, int B, int C, int S, float momentum, float eps);
void wg_batchnorm_forward_eval(float *y, const float *x, const float *gamma, const float *beta,
                               const float *run_mean, const float *run_var, int B, int C, int S,
                               float eps);
void wg_batchnorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy,
                           const float *xhat, const float *invstd, const float *gamma,
                           int B, int C, int S);

/* Backward of the eval-mode forward (running statistics are constants): for optimising inputs
 * through a frozen network, e.g. latent search. */
void wg_batchnorm_backward_eval(float *dx, float *dgamma, float *dbeta, const float *dy,
                                const float *x, const float *gamma, const float *run_mean,
                                const float *run_var, int B, int C, int S, float eps);

/* Inverted dropout: mask holds 0 or 1/(1-p) per value, drawn from rng. */
void wg_dropout_forward(float *y, float *mask, const float *x, int n, float p, wg_rng *rng);
void wg_dropout_backward(float *dx, const float *dy, const float *mask, int n);

#endif
