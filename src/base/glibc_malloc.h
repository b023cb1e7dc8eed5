/* base: whether malloc is glibc's, so that its tuning (mallopt,
 * malloc_trim, mallinfo2) may be used: glibc, and not AddressSanitizer,
 * whose allocator replaces glibc's.  Macros only: the program (src/cli)
 * includes it too, as it links nothing of base. */
#ifndef KH_GLIBC_MALLOC_H
#define KH_GLIBC_MALLOC_H

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KH_SANITIZER_MALLOC 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define KH_SANITIZER_MALLOC 1
#endif
#if defined(__GLIBC__) && !defined(KH_SANITIZER_MALLOC)
#define KH_GLIBC_MALLOC 1
#endif

#endif
