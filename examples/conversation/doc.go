// Package conversation holds Mrs. Premise and Mrs. Conclusion, the two
// speakers of posix_ipc's demos, as the engine of `ipcfs demo`, and what
// the example programs premise, conclusion, mqpremise and mqconclusion share
// with it: params.txt (Params), the digest (Digest), the opening line
// (Seed), the politeness between turns (Yield) and the programs' command
// line (Main). The example programs themselves spell the conversation out
// with the ipcfs calls a user writes, posix_ipc's demo code beside them;
// the speakers here are the same conversation, run in any Namespace with
// progress callbacks for the demo and the tests.
//
// The conversation is posix_ipc's stress test of an IPC transport: Premise
// creates the objects and opens with the current time; from then on each
// side answers what it reads with the MD5 hex digest of it, and checks that
// what it reads is the digest of what it wrote last. Any lost, torn or
// duplicated message shows up as a mismatch.
//
// Two transports are spoken, each byte-compatible with posix_ipc's Python
// demos and with the C programs in examples/c:
//
//   - shared memory plus one semaphore (demo): the segment holds a
//     NUL-terminated string at offset 0, and the semaphore, created at 0,
//     passes the turn;
//   - one message queue (demo2): each message is the string, without a NUL.
//
// Parameters come from a params.txt file in posix_ipc's format (see Params).
package conversation
