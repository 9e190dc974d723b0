// The memory engine lands here; the protocol it implements is KVortexCore.StorageEngine.
