/* SHA-256 over OpenSSL's EVP interface. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

#include "hb/sha256.h"

static void to_hex(const unsigned char *md, unsigned n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < n; i++) {
        out[2 * i] = digits[md[i] >> 4];
        out[2 * i + 1] = digits[md[i] & 15];
    }
    out[2 * n] = '\0';
}

void hb_sha256_init(hb_sha256 *h)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        fprintf(stderr, "hb: libcrypto cannot provide SHA-256\n");
        abort();
    }
    h->md_ctx = ctx;
}

void hb_sha256_update(hb_sha256 *h, const void *data, size_t len)
{
    EVP_DigestUpdate(h->md_ctx, data, len);
}

void hb_sha256_final_hex(hb_sha256 *h, char out[HB_SHA256_HEX_LEN + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    EVP_DigestFinal_ex(h->md_ctx, md, &n);
    EVP_MD_CTX_free(h->md_ctx);
    h->md_ctx = NULL;
    to_hex(md, n, out);
}

void hb_sha256_hex(const void *data, size_t len, char out[HB_SHA256_HEX_LEN + 1])
{
    hb_sha256 h;
    hb_sha256_init(&h);
    hb_sha256_update(&h, data, len);
    hb_sha256_final_hex(&h, out);
}
