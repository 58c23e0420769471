/* make_corpus.c — writes the seed corpora of the checkpoint and idx fuzz targets.
 *
 * Checkpoints are real: tiny models of every preset plus a custom net that uses every layer
 * type, each trained one step (so the Adam/SGD moments and the data order are non-trivial) and
 * saved with wg_model_save. Broken seeds are derived from them: truncated, a header length past
 * the end, a config that disagrees with the tensors, a bad state, a newer format version.
 * IDX seeds use fuzz_idx's input layout (byte 0 = labels length, labels file, images file).
 * The image seeds come from make_images.py (Pillow). Output is deterministic.
 *
 *   tools/fuzz.sh --corpus   (builds this with the sources in src/ and runs it), or by hand:
 *   clang -std=c11 -Isrc -isystem build/stb -isystem /usr/include/stb src/[a-z]*.c tests/fuzz/make_corpus.c -lm
 *   ./make_corpus tests/fuzz/corpus
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"
#include "safetensors.h"

static const char *out_dir;

static void die(const char *what) {
  fprintf(stderr, "make_corpus: %s: %s\n", what, wg_last_error());
  exit(1);
}

static void write_file(const char *sub, const char *name, const void *bytes, size_t len) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s/%s", out_dir, sub, name);
  FILE *f = fopen(path, "wb");
  if (!f || (len && fwrite(bytes, 1, len, f) != len) || fclose(f)) {
    fprintf(stderr, "make_corpus: cannot write %s (does %s/%s exist?)\n", path, out_dir, sub);
    exit(1);
  }
}

/* A trained-for-one-step model of `config`, saved; the caller frees *out. */
static void checkpoint(const char *config, uint8_t **out, size_t *len) {
  wg_model *m;
  if (wg_model_create(config, &m)) die(config);
  wg_dataset *ds = wg_dataset_create(5, m->height, m->width, m->channels, 0);
  if (!ds) die("dataset");
  size_t n = (size_t)ds->n * wg_model_image_size(m);
  for (size_t i = 0; i < n; i++) ds->pixels[i] = (uint8_t)(i * 37 + 11);
  if (wg_model_train(m, ds, 1, 2)) die("train");
  if (wg_model_save(m, out, len)) die("save");
  wg_dataset_free(ds);
  wg_model_free(m);
}

/* The same checkpoint with one metadata value replaced (or dropped when value is NULL). */
static void rewrite(const uint8_t *bytes, size_t len, const char *key, const char *value,
                    const char *name) {
  wg_st_file f;
  if (wg_st_read(bytes, len, &f)) die("read back");
  wg_st_writer w;
  wg_st_writer_init(&w);
  for (int i = 0; i < f.n_meta; i++) {
    if (strcmp(f.meta_keys[i], key) != 0) wg_st_add_meta(&w, f.meta_keys[i], f.meta_values[i]);
    else if (value) wg_st_add_meta(&w, key, value);
  }
  float **copies = calloc((size_t)f.n_tensors + 1, sizeof *copies);
  if (!copies) die("out of memory");
  for (int i = 0; i < f.n_tensors; i++) {
    copies[i] = malloc(sizeof(float) * (size_t)(f.tensors[i].count + 1));
    if (!copies[i]) die("out of memory");
    wg_st_copy(&f.tensors[i], copies[i]);
    wg_st_add_tensor(&w, f.tensors[i].name, f.tensors[i].shape, f.tensors[i].rank, copies[i]);
  }
  uint8_t *out;
  size_t n;
  if (wg_st_finish(&w, &out, &n)) die("rewrite");
  write_file("checkpoint", name, out, n);
  free(out);
  wg_st_writer_free(&w);
  for (int i = 0; i < f.n_tensors; i++) free(copies[i]);
  free(copies);
  wg_st_file_free(&f);
}

static void checkpoints(void) {
  static const struct { const char *name, *config; } models[] = {
    {"gan_tiny.safetensors",
     "{\"model\":\"gan\",\"height\":4,\"width\":4,\"hidden\":[4],\"disc_hidden\":[4],\"latent\":2}"},
    {"vae_tiny_sgd.safetensors",
     "{\"model\":\"vae\",\"height\":3,\"width\":2,\"hidden\":[3],\"latent\":2,\"optimizer\":\"sgd\"}"},
    {"dcgan_tiny_rgb.safetensors",
     "{\"model\":\"dcgan\",\"height\":4,\"width\":4,\"channels\":3,\"hidden\":[2],\"latent\":2}"},
    {"convvae_tiny.safetensors",
     "{\"model\":\"convvae\",\"height\":4,\"width\":4,\"hidden\":[2],\"latent\":2}"},
    {"gan_custom_layers.safetensors",
     "{\"model\":\"gan\",\"height\":4,\"width\":4,\"latent\":3,\"generator\":["
     "{\"type\":\"dense\",\"units\":8},{\"type\":\"reshape\",\"shape\":[2,2,2]},"
     "{\"type\":\"instancenorm\",\"affine\":true},{\"type\":\"upsample\",\"mode\":\"bilinear\"},"
     "{\"type\":\"conv_transpose2d\",\"out_channels\":2,\"kernel\":[3,2],\"stride\":1,\"padding\":[1,0],\"bias\":false},"
     "{\"type\":\"batchnorm\"},{\"type\":\"relu\"},"
     "{\"type\":\"conv2d\",\"out_channels\":1,\"kernel\":[1,2],\"padding\":0},{\"type\":\"tanh\"}],"
     "\"discriminator\":[{\"type\":\"avgpool\",\"kernel\":2},{\"type\":\"flatten\"},"
     "{\"type\":\"dropout\",\"p\":0.3},{\"type\":\"dense\",\"units\":2},{\"type\":\"leaky_relu\",\"slope\":0.1},"
     "{\"type\":\"sigmoid\"},{\"type\":\"dense\",\"units\":1,\"bias\":false}]}"},
  };
  uint8_t *gan = NULL;
  size_t gan_len = 0;
  for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
    uint8_t *bytes;
    size_t len;
    checkpoint(models[i].config, &bytes, &len);
    write_file("checkpoint", models[i].name, bytes, len);
    if (i == 0) gan = bytes, gan_len = len;
    else free(bytes);
  }
  /* Broken ones, all derived from the tiny GAN. */
  write_file("checkpoint", "broken_truncated.safetensors", gan, gan_len / 2);
  write_file("checkpoint", "broken_empty.safetensors", "", 0);
  uint8_t *c = malloc(gan_len);
  if (!c) die("out of memory");
  memcpy(c, gan, gan_len);
  c[6] = 0x7f;   /* header length far past the end */
  write_file("checkpoint", "broken_header_length.safetensors", c, gan_len);
  memcpy(c, gan, gan_len);
  c[8] = '[';    /* header JSON is not an object (and not valid) */
  write_file("checkpoint", "broken_header_json.safetensors", c, gan_len);
  free(c);
  static const char empty[] = "\x02\0\0\0\0\0\0\0{}";
  write_file("checkpoint", "broken_no_metadata.safetensors", empty, sizeof empty - 1);
  rewrite(gan, gan_len, "config",
          "{\"model\":\"gan\",\"height\":4,\"width\":4,\"hidden\":[5],\"disc_hidden\":[4],\"latent\":2}",
          "broken_config_mismatch.safetensors");
  rewrite(gan, gan_len, "state", "{\"perm_n\":5,\"perm_pos\":9}", "broken_state.safetensors");
  rewrite(gan, gan_len, "format_version", "2", "broken_version.safetensors");
  rewrite(gan, gan_len, "step", NULL, "broken_no_step.safetensors");
  free(gan);
}

/* Appends a big-endian IDX file to buf at *n. */
static void idx(uint8_t *buf, size_t *n, int type, int rank, const uint32_t *dims, size_t data_len, int label_max) {
  uint8_t *p = buf + *n;
  p[0] = 0; p[1] = 0; p[2] = (uint8_t)type; p[3] = (uint8_t)rank;
  for (int i = 0; i < rank; i++)
    for (int b = 0; b < 4; b++) p[4 + 4 * i + b] = (uint8_t)(dims[i] >> (24 - 8 * b));
  uint8_t *d = p + 4 + 4 * rank;
  for (size_t i = 0; i < data_len; i++) d[i] = (uint8_t)(label_max ? (i * 7) % label_max : i * 29 + 3);
  *n += 4 + 4 * (size_t)rank + data_len;
}

/* One fuzz_idx input: [labels length][labels][images]. */
static void idx_seed(const char *name, int l_rank, const uint32_t *l_dims, size_t l_len, int l_max,
                     int i_type, int i_rank, const uint32_t *i_dims, size_t i_len) {
  uint8_t buf[1024];
  size_t n = 1;
  if (l_rank) idx(buf, &n, 8, l_rank, l_dims, l_len, l_max);
  buf[0] = (uint8_t)(n - 1);
  idx(buf, &n, i_type, i_rank, i_dims, i_len, 0);
  write_file("idx", name, buf, n);
}

static void idx_seeds(void) {
  const uint32_t l3[] = {3}, l2[] = {2}, g[] = {3, 4, 5}, rgb[] = {2, 3, 2, 3}, c2[] = {2, 2, 2, 2};
  idx_seed("grey_labels.bin", 1, l3, 3, 10, 8, 3, g, 60);
  idx_seed("grey_no_labels.bin", 0, NULL, 0, 0, 8, 3, g, 60);
  idx_seed("rgb_labels_256.bin", 1, l2, 2, 200, 8, 4, rgb, 36);
  idx_seed("broken_truncated.bin", 1, l3, 3, 10, 8, 3, g, 59);
  idx_seed("broken_padded.bin", 0, NULL, 0, 0, 8, 3, g, 61);
  idx_seed("broken_count_mismatch.bin", 1, l2, 2, 10, 8, 3, g, 60);
  idx_seed("broken_two_channels.bin", 0, NULL, 0, 0, 8, 4, c2, 16);
  idx_seed("broken_float_type.bin", 0, NULL, 0, 0, 0x0d, 3, g, 60);
  idx_seed("broken_rank2.bin", 0, NULL, 0, 0, 8, 2, g, 12);
  idx_seed("broken_labels_as_images.bin", 1, l3, 3, 10, 8, 1, l3, 3);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: make_corpus OUT_DIR   (writes OUT_DIR/checkpoint/* and OUT_DIR/idx/*)\n");
    return 2;
  }
  out_dir = argv[1];
  checkpoints();
  idx_seeds();
  return 0;
}
