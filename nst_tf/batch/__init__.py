"""Batch stylisation (`nst-tf batch`, `nst_tf.stylize_batch`): the same steps on Apache Beam (the
DirectRunner, Dataflow, Flink or Spark) or on a running Dask cluster."""
