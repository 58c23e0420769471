/* family_cyclegan.c — CycleGAN: unpaired translation between two image domains A and B, with the
 * semantics of the reference implementation (junyanz/pytorch-CycleGAN-and-pix2pix, "cycle_gan"
 * model, LSGAN mode).
 *
 * Nets (role order): G_AB and G_BA, ResNet generators (reflection pad 3, 7x7 conv, two stride-2
 * 3x3 convs, residual blocks of [reflect pad 1, 3x3 conv, instance norm, ReLU, reflect pad 1,
 * 3x3 conv, instance norm] + skip, two up stages, reflect pad 3, 7x7 conv, tanh; instance norm
 * without affine parameters, convs with biases); D_A and D_B, PatchGAN discriminators (4x4 convs,
 * stride 2 then 1, instance norm, LeakyReLU 0.2) whose output is a map of patch scores. D_A judges
 * domain A (real A against G_BA(B)), D_B domain B: the reference calls these netD_B and netD_A.
 *
 * One step on a batch of real A and real B images (all gradients before any update, which gives
 * the reference's order "generators' step, then the discriminators'" because the discriminators
 * see detached fakes and the generators see the discriminators before their update):
 *   fake_B = G_AB(A), rec_A = G_BA(fake_B), fake_A = G_BA(B), rec_B = G_AB(fake_A)
 *   gan_ab = MSE(D_B(fake_B), 1)      gan_ba = MSE(D_A(fake_A), 1)          (means over patches)
 *   cycle_a = λ L1(rec_A, A)          cycle_b = λ L1(rec_B, B)              (means over pixels)
 *   idt_a = λ μ L1(G_BA(A), A)        idt_b = λ μ L1(G_AB(B), B)            (μ: lambda_identity)
 *   g_loss = gan_ab + gan_ba + cycle_a + cycle_b + idt_a + idt_b             (both generators)
 *   d_a = (MSE(D_A(A), 1) + MSE(D_A(pool_A(fake_A)), 0)) / 2, d_b likewise with B.
 * pool_A/pool_B are the 50-image histories of generated images (Shrivastava et al.): while a pool
 * fills, a fake goes in and is used; once full, with probability 1/2 a random stored image is used
 * in its place and the fake takes its slot. Pools and their random stream live in checkpoints.
 * The learning rate of every net stays constant for lr_constant_steps, then decays linearly to 0
 * over lr_decay_steps (factor 1 - max(0, step + 1 - constant) / (decay + 1), the reference's
 * per-epoch rule counted in steps; lr_decay_steps 0 keeps it constant).
 *
 *   {"model":"cyclegan","height":28,"width":28,"channels":1}    // G 16 wide, 3 blocks; D 16 wide
 *   {"model":"cyclegan_upsample", ...}    // nearest 2x upsampling + 3x3 conv in place of convT
 *   own keys: lambda_cycle (10), lambda_identity (0.5), pool_size (50), res_blocks (3; 4 from
 *   64x64), disc_layers (2; 3 from 64x64), lr_constant_steps (5000), lr_decay_steps (5000).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "layerspec.h"
#include "loss.h"
#include "model_internal.h"

enum { G_AB, G_BA, D_A, D_B };

typedef struct {
  float lambda_cycle, lambda_identity;
  int pool_size, res_blocks, disc_layers;
  long long lr_constant, lr_decay;
  int pool_count[2];            /* images stored in pool A (fakes of domain A) and pool B */
  float *pool[2];               /* (pool_size, C*H*W) each, in the training range [-1, 1] */
  wg_rng rng_pool;
} cg_state;

static const char *const cg_keys[] = {"lambda_cycle", "lambda_identity", "pool_size", "res_blocks",
                                      "disc_layers", "lr_constant_steps", "lr_decay_steps", NULL};

static wg_status cg_configure(wg_model *m, const wg_json *cfg) {
  cg_state *s = calloc(1, sizeof *s);
  if (!s) return wg_fail(WG_ERR_NOMEM, "out of memory");
  m->family_state = s;
  wg_cfg c = {cfg, "config"};
  int big = m->height * m->width >= 64 * 64;
  double v;
  wg_status st;
  if ((st = wg_cfg_num(&c, "lambda_cycle", 10.0, 0.0, 1000.0, &v))) return st;
  s->lambda_cycle = (float)v;
  if ((st = wg_cfg_num(&c, "lambda_identity", 0.5, 0.0, 100.0, &v))) return st;
  s->lambda_identity = (float)v;
  if ((st = wg_cfg_int(&c, "pool_size", 50, 0, 1000, &v))) return st;
  s->pool_size = (int)v;
  /* 64 layers per net at most: 10 + 8 per block + 8 + 3 */
  if ((st = wg_cfg_int(&c, "res_blocks", big ? 4 : 3, 0, 5, &v))) return st;
  s->res_blocks = (int)v;
  if ((st = wg_cfg_int(&c, "disc_layers", big ? 3 : 2, 1, 4, &v))) return st;
  s->disc_layers = (int)v;
  if ((st = wg_cfg_int(&c, "lr_constant_steps", 5000, 0, 1e12, &v))) return st;
  s->lr_constant = (long long)v;
  if ((st = wg_cfg_int(&c, "lr_decay_steps", 5000, 0, 1e12, &v))) return st;
  s->lr_decay = (long long)v;
  size_t P = (size_t)m->height * m->width * m->channels;
  for (int k = 0; k < 2; k++) {
    s->pool[k] = calloc((size_t)s->pool_size * P + 1, sizeof(float));
    if (!s->pool[k]) return wg_fail(WG_ERR_NOMEM, "out of memory for the image pools");
  }
  wg_rng_seed(&s->rng_pool, m->seed, WG_STREAM_FAMILY);
  return WG_OK;
}

static void cg_put_config(const wg_model *m, wg_strbuf *sb) {
  const cg_state *s = m->family_state;
  wg_strbuf_puts(sb, ",\"lambda_cycle\":"); wg_cfg_put_float(sb, s->lambda_cycle);
  wg_strbuf_puts(sb, ",\"lambda_identity\":"); wg_cfg_put_float(sb, s->lambda_identity);
  wg_strbuf_printf(sb, ",\"pool_size\":%d,\"res_blocks\":%d,\"disc_layers\":%d,\"lr_constant_steps\":%lld,\"lr_decay_steps\":%lld",
                   s->pool_size, s->res_blocks, s->disc_layers, s->lr_constant, s->lr_decay);
}

static void cg_free_state(wg_model *m) {
  cg_state *s = m->family_state;
  if (!s) return;
  free(s->pool[0]); free(s->pool[1]); free(s);
  m->family_state = NULL;
}

static int cg_state_tensors(wg_model *m, wg_tensor_ref *out) {
  cg_state *s = m->family_state;
  if (!s->pool_size) return 0;
  static const char *const names[2] = {"pool_a", "pool_b"};
  for (int k = 0; k < 2; k++)
    out[k] = (wg_tensor_ref){names[k], s->pool[k], (size_t)s->pool_size * wg_model_image_size(m), 4,
                             {s->pool_size, m->channels, m->height, m->width}};
  return 2;
}

static void cg_state_json(const wg_model *m, wg_strbuf *sb) {
  const cg_state *s = m->family_state;
  const wg_rng *r = &s->rng_pool;
  wg_strbuf_printf(sb, "{\"pool_count\":[%d,%d],\"pool_rng\":[\"%016llx\",\"%016llx\",%.9g,%d]}",
                   s->pool_count[0], s->pool_count[1], (unsigned long long)r->state,
                   (unsigned long long)r->inc, (double)r->spare, r->has_spare);
}

static wg_status cg_state_restore(wg_model *m, const wg_json *doc) {
  cg_state *s = m->family_state;
  const wg_json *pc = wg_json_get(doc, "pool_count"), *r = wg_json_get(doc, "pool_rng");
  int ok = pc && pc->type == WG_JSON_ARRAY && pc->length == 2 && r && r->type == WG_JSON_ARRAY && r->length == 4;
  for (int k = 0; ok && k < 2; k++)
    ok = pc->items[k].type == WG_JSON_NUMBER && pc->items[k].number >= 0 &&
         pc->items[k].number <= s->pool_size && pc->items[k].number == floor(pc->items[k].number);
  for (int k = 0; ok && k < 2; k++) ok = r->items[k].type == WG_JSON_STRING && strlen(r->items[k].string) == 16;
  ok = ok && r->items[2].type == WG_JSON_NUMBER && r->items[3].type == WG_JSON_NUMBER;
  unsigned long long state = 0, inc = 0;
  if (ok) {
    char *end;
    state = strtoull(r->items[0].string, &end, 16); ok = *end == 0;
    inc = strtoull(r->items[1].string, &end, 16); ok = ok && *end == 0 && (inc & 1);
  }
  if (!ok) return wg_fail(WG_ERR_FORMAT, "checkpoint: metadata \"family_state\" lacks valid image pool counts and stream");
  for (int k = 0; k < 2; k++) s->pool_count[k] = (int)pc->items[k].number;
  s->rng_pool.state = state; s->rng_pool.inc = inc;
  s->rng_pool.spare = (float)r->items[2].number; s->rng_pool.has_spare = r->items[3].number != 0;
  return WG_OK;
}

static float cg_lr_factor(const wg_model *m) {
  const cg_state *s = m->family_state;
  if (!s->lr_decay) return 1.f;
  long long past = m->step + 1 - s->lr_constant;
  if (past <= 0) return 1.f;
  double f = 1.0 - (double)past / (double)(s->lr_decay + 1);
  return f > 0.0 ? (float)f : 0.f;
}

/* The reference's ImagePool.query over n images of P values: out gets what D sees. */
static void cg_pool_query(cg_state *s, int which, const float *images, int n, int P, float *out) {
  size_t bytes = sizeof(float) * (size_t)P;
  for (int i = 0; i < n; i++) {
    const float *img = images + (size_t)i * P;
    float *o = out + (size_t)i * P;
    if (s->pool_count[which] < s->pool_size) {
      memcpy(s->pool[which] + (size_t)s->pool_count[which]++ * P, img, bytes);
      memcpy(o, img, bytes);
    } else if (s->pool_size > 0 && wg_rng_uniform(&s->rng_pool) > 0.5f) {
      float *slot = s->pool[which] + (size_t)wg_rng_below(&s->rng_pool, (uint32_t)s->pool_size) * P;
      memcpy(o, slot, bytes);
      memcpy(slot, img, bytes);
    } else {
      memcpy(o, img, bytes);
    }
  }
}

/* MSE of D's patch scores against a constant target, mean over n*Q scores; grad (may be NULL)
 * gets scale * d/dscore. */
static double cg_mse_const(float *grad, const float *scores, float *target, int count, float value, float scale) {
  for (int i = 0; i < count; i++) target[i] = value;
  return wg_mse(grad, scores, target, count, scale / (float)count) / count;
}

/* The adversarial term of one generator: D on the fakes, gradient into dfake (= not added). */
static wg_status cg_adversarial(wg_model *m, int d, const float *fake, int n, float *dfake, double *loss) {
  wg_arena *A = &m->arena;
  wg_net *D = &m->nets[d];
  wg_arena_mark mark = wg_arena_save(A);
  wg_frame fr;
  float *scores = wg_net_forward(D, A, &fr, fake, n, 1, &m->rng_dropout, D->n_layers);
  int Q = n * D->out_features;
  float *grad = wg_arena_floats(A, (size_t)Q), *target = wg_arena_floats(A, (size_t)Q);
  if (!scores || !grad || !target) return wg_fail(WG_ERR_NOMEM, "out of memory during a CycleGAN step (batch %d)", n);
  *loss = cg_mse_const(grad, scores, target, Q, 1.f, 1.f);
  wg_status st = wg_net_backward(D, A, &fr, D->n_layers, grad, dfake, 0);
  wg_arena_restore(A, mark);
  return st;
}

/* One discriminator's loss on real images and (pooled) fakes, with its parameter gradients. */
static wg_status cg_discriminator(wg_model *m, int d, const float *real, const float *fake, int n, double *loss) {
  wg_arena *A = &m->arena;
  wg_net *D = &m->nets[d];
  double half[2];
  for (int pass = 0; pass < 2; pass++) {
    wg_arena_mark mark = wg_arena_save(A);
    wg_frame fr;
    float *scores = wg_net_forward(D, A, &fr, pass ? fake : real, n, 1, &m->rng_dropout, D->n_layers);
    int Q = n * D->out_features;
    float *grad = wg_arena_floats(A, (size_t)Q), *target = wg_arena_floats(A, (size_t)Q);
    if (!scores || !grad || !target) return wg_fail(WG_ERR_NOMEM, "out of memory during a CycleGAN step (batch %d)", n);
    half[pass] = cg_mse_const(grad, scores, target, Q, pass ? 0.f : 1.f, 0.5f);
    wg_status st = wg_net_backward(D, A, &fr, D->n_layers, grad, NULL, 1);
    wg_arena_restore(A, mark);
    if (st) return st;
  }
  *loss = 0.5 * (half[0] + half[1]);
  return WG_OK;
}

/* L1 between images, mean over count values, times weight; grad gets its gradient. */
static double cg_l1(float *grad, const float *pred, const float *target, int count, float weight) {
  return weight * wg_l1(grad, pred, target, count, weight / (float)count) / count;
}

static wg_status cg_step(wg_model *m, const wg_batch *bt) {
  cg_state *s = m->family_state;
  wg_arena *A = &m->arena;
  int n = bt->n, P = wg_model_image_size(m), NP = n * P;
  if (!bt->x_b) return wg_fail(WG_ERR_ARG, "train: a CycleGAN batch needs images of both domains");
  const float *real_a = bt->x, *real_b = bt->x_b;
  wg_net *gab = &m->nets[G_AB], *gba = &m->nets[G_BA];
  for (int k = 0; k < m->n_nets; k++) wg_net_zero_grads(&m->nets[k]);
  float lam = s->lambda_cycle, lam_idt = s->lambda_cycle * s->lambda_identity;
  wg_frame f_fake_b, f_rec_a, f_fake_a, f_rec_b;
  float *d_fake = wg_arena_floats(A, (size_t)NP), *d_more = wg_arena_floats(A, (size_t)NP);
  float *d_img = wg_arena_floats(A, (size_t)NP), *pooled = wg_arena_floats(A, (size_t)NP);
  if (!d_fake || !d_more || !d_img || !pooled) goto oom;
  double *L = m->exact_losses;   /* g_loss, d_a, d_b, gan_ab, gan_ba, cycle_a, cycle_b, idt_a, idt_b */
  wg_status st;

  /* Identity terms first: their frames are done with before the cycle's four are made. */
  L[7] = L[8] = 0.0;
  if (lam_idt > 0.f) {
    for (int k = 0; k < 2; k++) {   /* idt_a: G_BA(A) ~ A; idt_b: G_AB(B) ~ B */
      wg_net *g = k ? gab : gba;
      const float *real = k ? real_b : real_a;
      wg_arena_mark mark = wg_arena_save(A);
      wg_frame fr;
      float *idt = wg_net_forward(g, A, &fr, real, n, 1, &m->rng_dropout, g->n_layers);
      if (!idt) goto oom;
      L[7 + k] = cg_l1(d_img, idt, real, NP, lam_idt);
      if ((st = wg_net_backward(g, A, &fr, g->n_layers, d_img, NULL, 1))) return st;
      wg_arena_restore(A, mark);
    }
  }

  /* Both cycles: A -> fake_B -> rec_A and B -> fake_A -> rec_B. */
  float *fake_b = wg_net_forward(gab, A, &f_fake_b, real_a, n, 1, &m->rng_dropout, gab->n_layers);
  if (!fake_b) goto oom;
  float *rec_a = wg_net_forward(gba, A, &f_rec_a, fake_b, n, 1, &m->rng_dropout, gba->n_layers);
  if (!rec_a) goto oom;
  float *fake_a = wg_net_forward(gba, A, &f_fake_a, real_b, n, 1, &m->rng_dropout, gba->n_layers);
  if (!fake_a) goto oom;
  float *rec_b = wg_net_forward(gab, A, &f_rec_b, fake_a, n, 1, &m->rng_dropout, gab->n_layers);
  if (!rec_b) goto oom;

  for (int k = 0; k < 2; k++) {
    /* k 0: G_AB's fakes of B, judged by D_B, cycled back through G_BA; k 1 the other way. */
    wg_net *g = k ? gba : gab, *back = k ? gab : gba;
    const float *real = k ? real_b : real_a, *rec = k ? rec_b : rec_a, *fake = k ? fake_a : fake_b;
    wg_frame *f_fake = k ? &f_fake_a : &f_fake_b, *f_rec = k ? &f_rec_b : &f_rec_a;
    if ((st = cg_adversarial(m, k ? D_A : D_B, fake, n, d_fake, &L[3 + k]))) return st;
    L[5 + k] = cg_l1(d_img, rec, real, NP, lam);
    if ((st = wg_net_backward(back, A, f_rec, back->n_layers, d_img, d_more, 1))) return st;
    for (int i = 0; i < NP; i++) d_fake[i] += d_more[i];
    if ((st = wg_net_backward(g, A, f_fake, g->n_layers, d_fake, NULL, 1))) return st;
  }
  L[0] = L[3] + L[4] + L[5] + L[6] + L[7] + L[8];

  /* Discriminators on real images and on fakes from the pools (fakes as they were, detached). */
  cg_pool_query(s, 1, fake_b, n, P, pooled);
  if ((st = cg_discriminator(m, D_B, real_b, pooled, n, &L[2]))) return st;
  cg_pool_query(s, 0, fake_a, n, P, pooled);
  if ((st = cg_discriminator(m, D_A, real_a, pooled, n, &L[1]))) return st;
  return WG_OK;
oom:
  return wg_fail(WG_ERR_NOMEM, "out of memory during a CycleGAN step (batch %d)", n);
}

static wg_status cg_translate(wg_model *m, const float *x, int n, int direction, float *out) {
  size_t count = (size_t)n * wg_model_image_size(m);
  float *in = malloc(sizeof(float) * count + 1);
  if (!in) return wg_fail(WG_ERR_NOMEM, "out of memory for %d images", n);
  for (size_t i = 0; i < count; i++) in[i] = x[i] * m->family->image_scale + m->family->image_shift;
  wg_status st = wg__generate_images(m, m->family->translators[direction], in, NULL, n, out);
  free(in);
  return st;
}

static void cg_net_input(const wg_model *m, int k, int *c, int *h, int *w) {
  (void)k;
  *c = m->channels; *h = m->height; *w = m->width;
}

static wg_status cg_check(const wg_model *m) {
  int P = wg_model_image_size(m);
  for (int k = 0; k < 4; k++) {
    const wg_net *net = &m->nets[k];
    const wg_layer *last = &net->layers[net->n_layers - 1];
    if (k < 2 && net->out_features != P)
      return wg_fail(WG_ERR_ARG, "config: %s outputs %d values but images are %dx%dx%d = %d", net->name, net->out_features, m->height, m->width, m->channels, P);
    if (k >= 2 && last->out_c != 1)
      return wg_fail(WG_ERR_ARG, "config: %s must output one map of patch scores (1 channel), not %d channels", net->name, last->out_c);
    if (k >= 2 && last->kind == WG_LAYER_SIGMOID)
      return wg_fail(WG_ERR_ARG, "config: %s must end in raw scores (no sigmoid): the least-squares loss compares them with 1 and 0", net->name);
  }
  return WG_OK;
}

static int cg_widths(int height, int width, int *out) {
  (void)height; (void)width;
  out[0] = 16;   /* generator's first width; it doubles at each of the two down-sampling stages */
  return 1;
}

static const int cg_disc_widths[] = {16};

static void cg_instnorm_relu(wg_strbuf *g) { wg_strbuf_puts(g, ",{\"type\":\"instancenorm\"}," WG_SPEC_RELU); }

/* The ResNet generator; upsample 1: nearest 2x + 3x3 conv per up stage, else transposed convs. */
static wg_status cg_layers_with(const wg_preset_sizes *p, wg_strbuf *lists, int upsample) {
  const cg_state *s = p->family_config;
  int f = p->hidden[0], C = p->channels;
  if (p->n_hidden != 1) return wg_fail(WG_ERR_ARG, "config: \"hidden\" of a CycleGAN is one width, the generator's first (e.g. [16])");
  if (p->n_disc != 1) return wg_fail(WG_ERR_ARG, "config: \"disc_hidden\" of a CycleGAN is one width, the discriminator's first (e.g. [16])");
  if (p->height % 4 || p->width % 4 || p->height < 8 || p->width < 8)
    return wg_fail(WG_ERR_ARG, "config: a CycleGAN's generators down-sample twice: height and width must be multiples of 4, at least 8 (e.g. 28, 32 or 64), got %dx%d", p->height, p->width);
  for (int k = 0; k < 2; k++) {
    wg_strbuf *g = &lists[k];
    wg_strbuf_printf(g, "[{\"type\":\"pad\",\"padding\":3,\"mode\":\"reflect\"},{\"type\":\"conv2d\",\"out_channels\":%d,\"kernel\":7}", f);
    cg_instnorm_relu(g);
    for (int j = 1; j <= 2; j++) {
      wg_strbuf_printf(g, ",{\"type\":\"conv2d\",\"out_channels\":%d,\"kernel\":3,\"stride\":2,\"padding\":1}", f << j);
      cg_instnorm_relu(g);
    }
    int layer = 10;   /* index of the next layer: the blocks' skips name their input's layer */
    for (int b = 0; b < s->res_blocks; b++, layer += 8) {
      for (int half = 0; half < 2; half++) {
        wg_strbuf_printf(g, ",{\"type\":\"pad\",\"padding\":1,\"mode\":\"reflect\"},{\"type\":\"conv2d\",\"out_channels\":%d,\"kernel\":3},{\"type\":\"instancenorm\"}", f << 2);
        if (!half) wg_strbuf_puts(g, "," WG_SPEC_RELU);
      }
      wg_strbuf_printf(g, ",{\"type\":\"add\",\"from\":%d}", layer - 1);
    }
    for (int j = 1; j >= 0; j--) {
      if (upsample)
        wg_strbuf_printf(g, ",{\"type\":\"upsample\",\"mode\":\"nearest\"},{\"type\":\"conv2d\",\"out_channels\":%d,\"kernel\":3,\"padding\":1}", f << j);
      else
        wg_strbuf_printf(g, ",{\"type\":\"conv_transpose2d\",\"out_channels\":%d,\"kernel\":3,\"stride\":2,\"padding\":1,\"output_padding\":1}", f << j);
      cg_instnorm_relu(g);
    }
    wg_strbuf_printf(g, ",{\"type\":\"pad\",\"padding\":3,\"mode\":\"reflect\"},{\"type\":\"conv2d\",\"out_channels\":%d,\"kernel\":7}," WG_SPEC_TANH "]", C);
  }
  int nd = p->disc[0];
  for (int k = 2; k < 4; k++) {
    wg_strbuf *d = &lists[k];
    wg_strbuf_printf(d, "[{\"type\":\"conv2d\",\"out_channels\":%d,\"kernel\":4,\"stride\":2,\"padding\":1}," WG_SPEC_LRELU, nd);
    int mult = 1;
    for (int j = 1; j <= s->disc_layers; j++) {
      mult = 1 << j < 8 ? 1 << j : 8;
      wg_strbuf_printf(d, ",{\"type\":\"conv2d\",\"out_channels\":%d,\"kernel\":4,\"stride\":%d,\"padding\":1},{\"type\":\"instancenorm\"}," WG_SPEC_LRELU,
                       nd * mult, j < s->disc_layers ? 2 : 1);
    }
    wg_strbuf_puts(d, ",{\"type\":\"conv2d\",\"out_channels\":1,\"kernel\":4,\"padding\":1}]");
  }
  return WG_OK;
}

static wg_status cg_layers_convt(const wg_preset_sizes *p, wg_strbuf *lists) { return cg_layers_with(p, lists, 0); }
static wg_status cg_layers_upsample(const wg_preset_sizes *p, wg_strbuf *lists) { return cg_layers_with(p, lists, 1); }

static const wg_preset_def cg_presets[] = {
  {"cyclegan", "CycleGAN (ResNet generators with transposed convs, PatchGAN discriminators, LSGAN; two domains)", 0, 0.02f, 1, cg_widths, cg_disc_widths, 1, cg_layers_convt},
  {"cyclegan_upsample", "CycleGAN with nearest upsampling + 3x3 conv in the generators (no checkerboard artefacts)", 0, 0.02f, 1, cg_widths, cg_disc_widths, 1, cg_layers_upsample},
};

/* The registry-driven tests' model: the presets' structure (reflection pads, instance norm, a
 * residual block, a transposed conv, patch scores) at 8x8 with tanh in place of the ReLU kinks,
 * which would swamp finite differences in so small a model. The pool is off there: gradient checks
 * repeat a step, and a pool would change between repeats. The presets themselves are checked
 * against PyTorch (test_family_reference.c). */
#define CG_TINY_G "[{\"type\":\"pad\",\"padding\":2,\"mode\":\"reflect\"},{\"type\":\"conv2d\",\"out_channels\":3,\"kernel\":5}," \
  "{\"type\":\"instancenorm\"},{\"type\":\"tanh\"},{\"type\":\"conv2d\",\"out_channels\":4,\"kernel\":3,\"stride\":2,\"padding\":1}," \
  "{\"type\":\"instancenorm\"},{\"type\":\"tanh\"},{\"type\":\"pad\",\"padding\":1,\"mode\":\"reflect\"}," \
  "{\"type\":\"conv2d\",\"out_channels\":4,\"kernel\":3},{\"type\":\"instancenorm\"},{\"type\":\"add\",\"from\":6}," \
  "{\"type\":\"conv_transpose2d\",\"out_channels\":3,\"kernel\":3,\"stride\":2,\"padding\":1,\"output_padding\":1}," \
  "{\"type\":\"instancenorm\"},{\"type\":\"tanh\"},{\"type\":\"pad\",\"padding\":1,\"mode\":\"reflect\"}," \
  "{\"type\":\"conv2d\",\"out_channels\":1,\"kernel\":3},{\"type\":\"tanh\"}]"
#define CG_TINY_D "[{\"type\":\"conv2d\",\"out_channels\":3,\"kernel\":4,\"stride\":2,\"padding\":1},{\"type\":\"tanh\"}," \
  "{\"type\":\"conv2d\",\"out_channels\":4,\"kernel\":4,\"padding\":1},{\"type\":\"instancenorm\"},{\"type\":\"tanh\"}," \
  "{\"type\":\"conv2d\",\"out_channels\":1,\"kernel\":4,\"padding\":1}]"

const wg_family wg_family_cyclegan = {
  .name = "cyclegan",
  .tiny_config = "{\"model\":\"cyclegan\",\"height\":8,\"width\":8,\"pool_size\":0,\"seed\":3,"
                 "\"generator_ab\":" CG_TINY_G ",\"generator_ba\":" CG_TINY_G ","
                 "\"discriminator_a\":" CG_TINY_D ",\"discriminator_b\":" CG_TINY_D "}",
  .n_roles = 4,
  .roles = {{"G_AB", "generator_ab"}, {"G_BA", "generator_ba"}, {"D_A", "discriminator_a"}, {"D_B", "discriminator_b"}},
  .n_losses = 9,
  .losses = {{"g_loss", "total"}, {"d_a", "total"}, {"d_b", "total"}, {"gan_ab", "adversarial"},
             {"gan_ba", "adversarial"}, {"cycle_a", "cycle"}, {"cycle_b", "cycle"},
             {"idt_a", "identity"}, {"idt_b", "identity"}},
  .minimises = {0, 0, 1, 2},
  .caps = WG_CAP_TWO_DOMAINS | WG_CAP_TRANSLATE,
  .translators = {G_AB, G_BA},
  .lr = 2e-4f, .beta1 = 0.5f,
  .image_scale = 2.f, .image_shift = -1.f,
  .presets = cg_presets, .n_presets = 2,
  .net_input = cg_net_input,
  .check = cg_check,
  .step = cg_step,
  .translate = cg_translate,
  .config_keys = cg_keys,
  .configure = cg_configure,
  .put_config = cg_put_config,
  .free_state = cg_free_state,
  .state_tensors = cg_state_tensors,
  .state_json = cg_state_json,
  .state_restore = cg_state_restore,
  .lr_factor = cg_lr_factor,
};
