/* Base64, once for everyone: Basic auth headers, the redaction of a
 * secret's encoded form, the sandbox reading those headers. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "hb/util.h"

char *hb_base64_encode(const void *data, size_t n)
{
    char *out = hb_xmalloc(4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, data, (int)n);
    return out;
}

unsigned char *hb_base64_decode(const char *text, size_t len, size_t *n_out)
{
    if (len % 4 != 0 || len > (size_t)1 << 30)
        return NULL;
    unsigned char *out = hb_xmalloc(len / 4 * 3 + 1);
    int n = len ? EVP_DecodeBlock(out, (const unsigned char *)text, (int)len) : 0;
    if (n < 0) {
        free(out);
        return NULL;
    }
    /* EVP_DecodeBlock counts the padding as output bytes. */
    for (size_t pad = len; pad > 0 && text[pad - 1] == '=' && n > 0; pad--)
        n--;
    out[n] = '\0';
    *n_out = (size_t)n;
    return out;
}
