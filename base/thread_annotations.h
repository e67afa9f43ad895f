// Clang's thread-safety annotations (-Wthread-safety), as leveldb and abseil
// spell them: GUARDED_BY(mu) on data, REQUIRES(mu) on functions that expect
// it held, ACQUIRE/RELEASE on lock functions. They expand to nothing on other
// compilers; the clang builds (sanitizer, thread sanitizer) check them.
#ifndef WSMAND_BASE_THREAD_ANNOTATIONS_H_
#define WSMAND_BASE_THREAD_ANNOTATIONS_H_

#if defined(__clang__)
#define WSMAND_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define WSMAND_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) WSMAND_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY WSMAND_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) WSMAND_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) WSMAND_THREAD_ANNOTATION(pt_guarded_by(x))
#define ACQUIRED_BEFORE(...) \
  WSMAND_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) \
  WSMAND_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
#define REQUIRES(...) WSMAND_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define ACQUIRE(...) WSMAND_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) WSMAND_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) \
  WSMAND_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define EXCLUDES(...) WSMAND_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ASSERT_CAPABILITY(x) WSMAND_THREAD_ANNOTATION(assert_capability(x))
#define RETURN_CAPABILITY(x) WSMAND_THREAD_ANNOTATION(lock_returned(x))
#define NO_THREAD_SAFETY_ANALYSIS \
  WSMAND_THREAD_ANNOTATION(no_thread_safety_analysis)

#endif  // WSMAND_BASE_THREAD_ANNOTATIONS_H_
