"""Write test/reference/surveys/h5py-latest/sacc_xip_subset.hdf5: a SACC 2 HDF5 file in the newest HDF5
layout (libver='latest': superblock v3, link-info groups) with variable-length UTF-8 string columns and
h5py's boolean enum, holding the DES Y1 xi_plus points of tracers src0 and src1 from
test/reference/surveys/des-y1/sacc_data.hdf5 with their covariance block and n(z). It tests that the
reader handles layouts the DES file does not use. Run from the repository root with a python3 that has
h5py and numpy (only to regenerate the committed file; nothing runs it in the tests)."""
import h5py
import numpy as np

SRC = "test/reference/surveys/des-y1/sacc_data.hdf5"
OUT = "test/reference/surveys/h5py-latest/sacc_xip_subset.hdf5"
KEEP = {"src0", "src1"}

src = h5py.File(SRC, "r")
xip = src["data/galaxy_shear_xi_plus"][()]
rows = [r for r in xip if r["tracer_0"].decode() in KEEP and r["tracer_1"].decode() in KEEP]
order = np.array([r["sacc_ordering"] for r in rows])
cov_full = np.array(src["covariance_cov"]["row"])
cov = cov_full[np.ix_(order, order)]

vstr = h5py.string_dtype("utf-8")
with h5py.File(OUT, "w", libver="latest") as f:
    f.create_dataset("sacc_hdf5_version", data=np.array([1], dtype="i4"))
    for name in sorted(KEEP):
        t = src[f"tracer/{name}"]
        d = f.create_dataset(f"tracer/{name}", data=t[()], chunks=True, compression="gzip", compression_opts=4)
        for k, v in t.attrs.items():
            d.attrs[k] = v
    dt = [("tracer_0", vstr), ("tracer_1", vstr), ("value", "<f8"), ("theta", "<f8"), ("sacc_ordering", "<i8")]
    table = np.array([(r["tracer_0"].decode(), r["tracer_1"].decode(), r["value"], r["theta"], i) for i, r in enumerate(rows)], dtype=dt)
    d = f.create_dataset("data/galaxy_shear_xi_plus", data=table, chunks=True, compression="gzip", compression_opts=4)
    d.attrs.update({"NTRACER": np.int64(2), "SACCNAME": "galaxy_shear_xi_plus", "SACCTYPE": "data"})
    c = np.zeros(len(rows), dtype=[("row", "<f8", (len(rows),))])
    c["row"] = cov
    d = f.create_dataset("covariance_cov", data=c, chunks=True, compression="gzip", compression_opts=4)
    d.attrs.update({"EXTNAME": "covariance:full:cov", "SACCCLSS": "full", "SACCNAME": "cov", "SACCTYPE": "covariance", "SIZE": np.int64(len(rows))})
    meta = np.array([("DES Y1 xi_plus, src0 and src1", False, 4096)], dtype=[("survey", vstr), ("blinded", "?"), ("nside", "<i8")])
    d = f.create_dataset("metadata", data=meta)
    d.attrs.update({"EXTNAME": "metadata:metadata:metadata", "SACCCLSS": "metadata", "SACCNAME": "metadata", "SACCTYPE": "metadata"})
print(OUT, len(rows), "points")
