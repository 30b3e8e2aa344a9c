/* SHA-256 through OpenSSL's libcrypto, as lowercase hex. */
#ifndef HB_SHA256_H
#define HB_SHA256_H

#include <stddef.h>

#define HB_SHA256_HEX_LEN 64

void hb_sha256_hex(const void *data, size_t len, char out[HB_SHA256_HEX_LEN + 1]);

/* Incremental form, for hashing prev || canonical JSON without a copy. */
typedef struct hb_sha256 {
    void *md_ctx; /* EVP_MD_CTX */
} hb_sha256;
void hb_sha256_init(hb_sha256 *h);
void hb_sha256_update(hb_sha256 *h, const void *data, size_t len);
void hb_sha256_final_hex(hb_sha256 *h, char out[HB_SHA256_HEX_LEN + 1]);

#endif
