print("kvortex: not yet")
