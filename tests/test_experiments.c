/* test_mlp.c: the IDX loader (the real Fashion-MNIST files and broken ones)
 * and the perceptron's gradients against central finite differences. */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "check_util.h"
#include "mlp.h"
#include "idx.h"

#define DATA "/usr/share/datasets/fashion-mnist"

static char dir[] = "/tmp/radvar-mlp-XXXXXX";

static void write_bytes(const char *name, const void *data, size_t len, int gz)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (gz) {
        gzFile f = gzopen(path, "wb");
        gzwrite(f, data, (unsigned)len);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "wb");
        fwrite(data, 1, len, f);
        fclose(f);
    }
}

static int load(const char *images, const char *labels, radvar_idx_data *d, char *why)
{
    char ip[256], lp[256];
    snprintf(ip, sizeof ip, "%s/%s", dir, images);
    snprintf(lp, sizeof lp, "%s/%s", dir, labels);
    return radvar_idx_load(ip, lp, 0, d, why, 256);
}

/* a valid 3-image 2x2 set, written plain and gzipped */
static const unsigned char images3[] = {0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2,
                                        0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
static const unsigned char labels3[] = {0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9};

static void setup(void)
{
    ck_assert_ptr_nonnull(mkdtemp(dir));
    write_bytes("i.gz", images3, sizeof images3, 1);
    write_bytes("l.gz", labels3, sizeof labels3, 1);
    write_bytes("i.raw", images3, sizeof images3, 0);
    write_bytes("l.raw", labels3, sizeof labels3, 0);
    unsigned char bad_magic[sizeof images3];
    memcpy(bad_magic, images3, sizeof images3);
    bad_magic[3] = 1;
    write_bytes("badmagic.gz", bad_magic, sizeof bad_magic, 1);
    write_bytes("short.gz", images3, sizeof images3 - 5, 1); /* data cut short */
    unsigned char bad_label[sizeof labels3];
    memcpy(bad_label, labels3, sizeof labels3);
    bad_label[9] = 12;
    write_bytes("badlabel.gz", bad_label, sizeof bad_label, 1);
    unsigned char two_labels[] = {0, 0, 8, 1, 0, 0, 0, 2, 1, 2};
    write_bytes("two.gz", two_labels, sizeof two_labels, 1);
    /* a gzip file whose compressed stream is damaged after its header */
    write_bytes("i2.gz", images3, sizeof images3, 1);
    char path[256];
    snprintf(path, sizeof path, "%s/i2.gz", dir);
    FILE *f = fopen(path, "r+b");
    fseek(f, 12, SEEK_SET);
    for (int k = 0; k < 8; k++)
        fputc(0xA5, f);
    fclose(f);
}

static void teardown(void)
{
    const char *names[] = {"i.gz", "l.gz", "i.raw", "l.raw", "badmagic.gz", "short.gz",
                           "badlabel.gz", "two.gz", "i2.gz"};
    char path[256];
    for (size_t k = 0; k < N_ELEMS(names); k++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        unlink(path);
    }
    rmdir(dir);
}

START_TEST(test_loader_small)
{
    radvar_idx_data d;
    char why[256];
    ck_assert_int_eq(load("i.gz", "l.gz", &d, why), RADVAR_SUCCESS);
    ck_assert_uint_eq(d.count, 3);
    ck_assert_uint_eq(d.rows, 2);
    ck_assert(d.images[1] == 1.0f && d.images[0] == 0.0f);
    ck_assert_rel(d.images[11], 100.0 / 255.0, 1e-7);
    ck_assert(d.labels[0] == 7 && d.labels[2] == 9);
    radvar_idx_free(&d);
    ck_assert_int_eq(load("i.raw", "l.raw", &d, why), RADVAR_SUCCESS); /* plain IDX too */
    radvar_idx_free(&d);
}
END_TEST

START_TEST(test_loader_errors)
{
    radvar_idx_data d;
    char why[256];
    ck_assert_int_eq(load("missing.gz", "l.gz", &d, why), RADVAR_EIO);
    ck_assert(strstr(why, "cannot open") != NULL);
    ck_assert_ptr_null(d.images);
    ck_assert_int_eq(load("badmagic.gz", "l.gz", &d, why), RADVAR_EFORMAT);
    ck_assert(strstr(why, "magic") != NULL);
    ck_assert_int_eq(load("short.gz", "l.gz", &d, why), RADVAR_EFORMAT);
    ck_assert(strstr(why, "truncated") != NULL);
    ck_assert_int_eq(load("i.gz", "badlabel.gz", &d, why), RADVAR_EFORMAT);
    ck_assert(strstr(why, "not in 0..9") != NULL);
    ck_assert_int_eq(load("i.gz", "two.gz", &d, why), RADVAR_EFORMAT);
    ck_assert(strstr(why, "3 images but") != NULL);
    ck_assert_int_eq(load("i2.gz", "l.gz", &d, why), RADVAR_EFORMAT);
    ck_assert_int_eq(load("l.gz", "l.gz", &d, why), RADVAR_EFORMAT); /* labels as images */
}
END_TEST

START_TEST(test_loader_fashion_mnist)
{
    radvar_idx_data d;
    char why[256];
    ck_assert_msg(radvar_idx_load(DATA "/train-images-idx3-ubyte.gz",
                                    DATA "/train-labels-idx1-ubyte.gz", 0, &d, why, sizeof why)
                      == RADVAR_SUCCESS,
                  "%s", why);
    ck_assert_uint_eq(d.count, 60000);
    ck_assert(d.rows == 28 && d.cols == 28);
    size_t counts[10] = {0};
    for (size_t i = 0; i < d.count; i++)
        counts[d.labels[i]]++;
    for (int k = 0; k < 10; k++)
        ck_assert_uint_eq(counts[k], 6000); /* Fashion-MNIST is balanced */
    radvar_idx_free(&d);
    ck_assert_int_eq(radvar_idx_load(DATA "/t10k-images-idx3-ubyte.gz",
                                       DATA "/t10k-labels-idx1-ubyte.gz", 500, &d, why, sizeof why),
                     RADVAR_SUCCESS);
    ck_assert_uint_eq(d.count, 500);
    radvar_idx_free(&d);
}
END_TEST

START_TEST(test_gradient_finite_differences)
{
    enum { IN = 7, HID = 5, OUT = 4, B = 6 };
    radvar_mlp *m;
    ck_assert_int_eq(radvar_mlp_alloc(IN, HID, OUT, B, &m), RADVAR_SUCCESS);
    size_t np = radvar_mlp_param_count(m);
    ck_assert_uint_eq(np, HID * IN + HID + OUT * HID + OUT);
    float *p = malloc(np * sizeof *p), *g = malloc(np * sizeof *g);
    radvar_mlp_init(m, p, 3);
    for (size_t i = 0; i < np; i++) /* biases away from 0, so no ReLU sits at its kink */
        p[i] += 0.05f * (float)sin(1.3 * (double)i);
    float x[B * IN];
    uint8_t y[B];
    for (int i = 0; i < B * IN; i++)
        x[i] = (float)(0.5 + 0.5 * cos(0.77 * i));
    for (int b = 0; b < B; b++)
        y[b] = (uint8_t)(b % OUT);
    radvar_mlp_loss_grad(m, p, x, y, B, g);
    double worst = 0;
    for (size_t i = 0; i < np; i++) {
        const float h = 1e-3f;
        float keep = p[i];
        p[i] = keep + h;
        double up = radvar_mlp_loss_grad(m, p, x, y, B, NULL);
        p[i] = keep - h;
        double down = radvar_mlp_loss_grad(m, p, x, y, B, NULL);
        p[i] = keep;
        double fd = (up - down) / (2.0 * ((double)(keep + h) - (double)keep));
        /* the float forward pass rounds the loss (~1.4) to about 1e-7, so the
         * difference quotient over 2h = 2e-3 is good to 1e-4 absolute; the
         * O(h^2) term is near 1e-6 */
        double e = fabs(fd - g[i]) / (1e-4 + 2e-3 * fabs(g[i]));
        worst = fmax(worst, fabs(fd - g[i]));
        ck_assert_msg(e < 1, "parameter %zu: analytic %.8g, finite differences %.8g", i, g[i], fd);
    }
    printf("mlp gradient vs central differences: worst absolute difference %.3g over %zu parameters\n",
           worst, np);
    free(p);
    free(g);
    radvar_mlp_free(m);
}
END_TEST

START_TEST(test_mlp_errors_and_init)
{
    radvar_mlp *m;
    ck_assert_int_eq(radvar_mlp_alloc(0, 5, 3, 4, &m), RADVAR_EINVAL);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(radvar_mlp_alloc(4, 5, 3, 4, &m), RADVAR_SUCCESS);
    float a[100], b[100];
    radvar_mlp_init(m, a, 9);
    radvar_mlp_init(m, b, 9);
    ck_assert(memcmp(a, b, radvar_mlp_param_count(m) * sizeof(float)) == 0);
    float x[40] = {0};
    uint8_t y[10] = {0};
    ck_assert_nan(radvar_mlp_loss_grad(m, a, x, y, 5, NULL)); /* batch > max */
    radvar_mlp_free(m);
}
END_TEST

int main(void)
{
    radvar_init();
    Suite *s = suite_create("mlp");
    TCase *data = tcase_create("Data");
    tcase_add_unchecked_fixture(data, setup, teardown);
    tcase_add_test(data, test_loader_small);
    tcase_add_test(data, test_loader_errors);
    tcase_add_test(data, test_loader_fashion_mnist);
    tcase_set_timeout(data, 60);
    suite_add_tcase(s, data);
    TCase *core = tcase_create("Core");
    tcase_add_test(core, test_gradient_finite_differences);
    tcase_add_test(core, test_mlp_errors_and_init);
    suite_add_tcase(s, core);
    return run_suite(s);
}
