// bench/hnswlib_ceiling.cpp: the in-process library ceiling for bench/quantized.py.
//
// Reads base vectors, queries and exact top-10 ids written by
// bench/hnswlib_ceiling.py (raw little-endian files), builds an hnswlib
// index with the same m and ef_construction as the SQL benchmarks, and
// times single-threaded k-NN queries in-process at each ef_search: QPS
// (median of --reps passes) and recall@10.  hnswlib itself is not part of
// vecdb: bench/hnswlib_ceiling.py compiles this file against a checkout of
// its public source given by HNSWLIB_SRC, outside the repository.
//
// usage: hnswlib_ceiling DIR metric(l2|ip) m efc reps ef...
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "hnswlib/hnswlib.h"

static std::vector<float>
read_floats(const std::string &path)
{
	std::ifstream f(path, std::ios::binary | std::ios::ate);
	std::vector<float> v(f.tellg() / sizeof(float));
	f.seekg(0);
	f.read(reinterpret_cast<char *>(v.data()), v.size() * sizeof(float));
	return v;
}

static std::vector<int>
read_ints(const std::string &path)
{
	std::ifstream f(path, std::ios::binary | std::ios::ate);
	std::vector<int> v(f.tellg() / sizeof(int));
	f.seekg(0);
	f.read(reinterpret_cast<char *>(v.data()), v.size() * sizeof(int));
	return v;
}

int
main(int argc, char **argv)
{
	if (argc < 7)
	{
		fprintf(stderr, "usage: %s DIR l2|ip m efc reps ef...\n", argv[0]);
		return 2;
	}
	std::string dir = argv[1];
	bool l2 = std::string(argv[2]) == "l2";
	int m = atoi(argv[3]), efc = atoi(argv[4]), reps = atoi(argv[5]);
	std::vector<int> dims = read_ints(dir + "/dims.i32");	// n, nq, d, k
	int n = dims[0], nq = dims[1], d = dims[2], k = dims[3];
	std::vector<float> base = read_floats(dir + "/base.f32");
	std::vector<float> queries = read_floats(dir + "/queries.f32");
	std::vector<int> truth = read_ints(dir + "/truth.i32");

	hnswlib::L2Space l2space(d);
	hnswlib::InnerProductSpace ipspace(d);
	hnswlib::SpaceInterface<float> *space = l2 ? (hnswlib::SpaceInterface<float> *) &l2space
		: (hnswlib::SpaceInterface<float> *) &ipspace;
	hnswlib::HierarchicalNSW<float> index(space, n, m, efc, 100);
	auto t0 = std::chrono::steady_clock::now();
	for (int i = 0; i < n; i++)
		index.addPoint(&base[(size_t) i * d], i);
	double build = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	printf("{\"build_s\": %.3f, \"search\": {", build);
	for (int a = 6; a < argc; a++)
	{
		int ef = atoi(argv[a]);
		std::vector<double> qps;
		int hits = 0;

		index.setEf(ef);
		for (int r = 0; r < reps; r++)
		{
			auto s = std::chrono::steady_clock::now();
			for (int q = 0; q < nq; q++)
			{
				auto res = index.searchKnn(&queries[(size_t) q * d], k);
				if (r > 0)
					continue;
				std::set<int> want(truth.begin() + (size_t) q * k, truth.begin() + (size_t) (q + 1) * k);
				while (!res.empty())
				{
					hits += want.count((int) res.top().second);
					res.pop();
				}
			}
			qps.push_back(nq / std::chrono::duration<double>(std::chrono::steady_clock::now() - s).count());
		}
		std::sort(qps.begin(), qps.end());
		printf("%s\"%d\": {\"recall\": %.4f, \"qps\": %.1f}", a > 6 ? ", " : "", ef,
			   (double) hits / ((double) nq * k), qps[qps.size() / 2]);
	}
	printf("}}\n");
	return 0;
}
