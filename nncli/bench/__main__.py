"""`python -m nncli.bench [--json] [--repeats N] [--only WORKLOAD] [--quick]`."""

from nncli.cli.bench import bench

if __name__ == "__main__":
    bench(prog_name="python -m nncli.bench")
