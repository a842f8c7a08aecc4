#pragma once
// The processes of this run: MPI ranks when trm was built with MPI (TRM_MPI) and started by an MPI launcher
// (`mpirun -np N trm train ...`), else this process alone, exactly as without MPI.
#include <string>

#include "train/communicator.h"

namespace trm::cli {

// This run's ranks. The first call starts MPI when a launcher started this process; later calls return the same.
Communicator& job_ranks();

// "trm: " alone, or "trm (rank R of N): " in a data-parallel job, for messages on stderr.
std::string message_prefix();

// An error ends this rank: in a data-parallel job the other ranks would wait for it forever in the next
// collective call, so the whole job is aborted with `exit_code` (mpirun then exits non-zero). Returns otherwise.
void end_job_on_error(int exit_code);

}  // namespace trm::cli
