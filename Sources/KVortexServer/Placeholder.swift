// Placeholder until the first file of KVortexServer lands.
