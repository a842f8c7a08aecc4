#include "parallel.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>

#ifdef TRM_HAVE_MPI
#include <mpi.h>
#endif

namespace trm::cli {

namespace {

#ifdef TRM_HAVE_MPI
// MPI_COMM_WORLD. Only the main thread calls MPI (the kernels' OpenMP threads never do): MPI_THREAD_FUNNELED.
class MpiRanks final : public Communicator {
 public:
  MpiRanks() {
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    std::atexit([] {
      int finalized = 0;
      MPI_Finalized(&finalized);
      if (!finalized) MPI_Finalize();
    });
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void all_reduce_sum(float* values, int64_t n) override { reduce(values, n, MPI_FLOAT, MPI_SUM); }
  void all_reduce_sum(double* values, int64_t n) override { reduce(values, n, MPI_DOUBLE, MPI_SUM); }
  void all_reduce_max(double* values, int64_t n) override { reduce(values, n, MPI_DOUBLE, MPI_MAX); }

 private:
  // In place; MPI counts are int, so a large arena goes in pieces of at most 2^30 values.
  static void reduce(void* values, int64_t n, MPI_Datatype type, MPI_Op op) {
    int bytes = 0;
    MPI_Type_size(type, &bytes);
    auto* at = static_cast<char*>(values);
    for (int64_t done = 0; done < n;) {
      const int count = static_cast<int>(std::min<int64_t>(n - done, int64_t{1} << 30));
      MPI_Allreduce(MPI_IN_PLACE, at + done * bytes, count, type, op, MPI_COMM_WORLD);
      done += count;
    }
  }
  int rank_ = 0, size_ = 1;
};

// Started by a launcher: Open MPI's mpirun, MPICH's Hydra or a PMIx launcher (srun) set one of these.
bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(name)) return true;
  return false;
}
#endif

std::unique_ptr<Communicator> g_ranks;

}  // namespace

Communicator& job_ranks() {
  if (!g_ranks) {
#ifdef TRM_HAVE_MPI
    if (launched_by_mpi()) g_ranks = std::make_unique<MpiRanks>();
#endif
    if (!g_ranks) g_ranks = std::make_unique<SingleProcess>();
  }
  return *g_ranks;
}

std::string message_prefix() {
  if (!g_ranks || g_ranks->size() == 1) return "trm: ";
  return "trm (rank " + std::to_string(g_ranks->rank()) + " of " + std::to_string(g_ranks->size()) + "): ";
}

void end_job_on_error(int exit_code) {
  if (!g_ranks || g_ranks->size() == 1 || exit_code == 0) return;
#ifdef TRM_HAVE_MPI
  MPI_Abort(MPI_COMM_WORLD, exit_code);
#endif
}

}  // namespace trm::cli
