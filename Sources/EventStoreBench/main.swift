// The benchmark executable; its workloads are added next.
print("jobledger-bench: no workloads yet")
