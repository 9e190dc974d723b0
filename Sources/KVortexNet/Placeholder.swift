// Placeholder until the first file of KVortexNet lands.
