// A child process for the multi-process tests; its commands are added next.
print("store-probe")
