package swift

// InMemory is the size up to which a publish holds the source archive in
// memory (beyond it: in a temporary file).
const InMemory = inMemory
