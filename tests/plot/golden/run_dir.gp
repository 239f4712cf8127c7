# fiokit plot: 18 image(s)
reset
set terminal pngcairo noenhanced size 800,600 font 'DejaVu Sans,10'
set encoding utf8
set output 'job_bw.1.png'
set title 'gold-run (rw=randrw bs=16k iodepth=8) — job (job 1) bandwidth'
set xlabel 'time (s)'
set ylabel 'bandwidth (MiB/s)'
set grid
set key top right opaque box
set autoscale xfix
set yrange [0:*]
plot '-' using 1:2 with lines lw 1 lc rgb '#9ecae1' title 'raw', \
     '-' using 1:2 with lines lw 2 lc rgb '#08519c' title 'smoothed', \
     187.361 with lines lw 2 dt 2 lc rgb '#d62728' title 'average 187.4 MiB/s'
0.003 146.4844
0.103 155.2764
0.203 164.0684
0.303 172.8604
0.403 181.6523
0.503 190.4443
0.603 149.415
0.703 158.207
0.803 166.999
0.903 175.791
1.003 184.583
1.103 193.375
1.203 152.3457
1.303 161.1377
1.403 169.9297
1.503 178.7217
1.603 187.5137
1.703 146.4844
1.803 155.2764
1.903 164.0684
2.003 878.9062
2.103 181.6523
2.203 190.4443
2.303 149.415
2.403 158.207
2.503 166.999
2.603 175.791
2.703 184.583
2.803 193.375
2.903 152.3457
3.003 161.1377
3.103 169.9297
3.203 178.7217
3.303 187.5137
3.403 146.4844
3.503 155.2764
3.603 164.0684
3.703 172.8604
3.803 181.6523
3.903 190.4443
e
0.003 155.2764
0.103 159.6724
0.203 164.0684
0.303 172.8604
0.403 171.6881
0.503 170.5158
0.603 169.3436
0.703 168.1713
0.803 166.999
0.903 175.791
1.003 174.6188
1.103 173.4465
1.203 172.2742
1.303 171.102
1.403 169.9297
1.503 168.7574
1.603 167.5852
1.703 166.4129
1.803 306.4498
1.903 305.2775
2.003 314.0695
2.103 312.8973
2.203 311.725
2.303 169.3436
2.403 168.1713
2.503 166.999
2.603 175.791
2.703 174.6188
2.803 173.4465
2.903 172.2742
3.003 171.102
3.103 169.9297
3.203 168.7574
3.303 167.5852
3.403 166.4129
3.503 165.2406
3.603 164.0684
3.703 172.8604
3.803 177.2563
3.903 181.6523
e
reset
set terminal svg noenhanced size 800,600 font 'DejaVu Sans,10' dynamic background '#ffffff'
set encoding utf8
set output 'job_bw.1.svg'
set title 'gold-run (rw=randrw bs=16k iodepth=8) — job (job 1) bandwidth'
set xlabel 'time (s)'
set ylabel 'bandwidth (MiB/s)'
set grid
set key top right opaque box
set autoscale xfix
set yrange [0:*]
plot '-' using 1:2 with lines lw 1 lc rgb '#9ecae1' title 'raw', \
     '-' using 1:2 with lines lw 2 lc rgb '#08519c' title 'smoothed', \
     187.361 with lines lw 2 dt 2 lc rgb '#d62728' title 'average 187.4 MiB/s'
0.003 146.4844
0.103 155.2764
0.203 164.0684
0.303 172.8604
0.403 181.6523
0.503 190.4443
0.603 149.415
0.703 158.207
0.803 166.999
0.903 175.791
1.003 184.583
1.103 193.375
1.203 152.3457
1.303 161.1377
1.403 169.9297
1.503 178.7217
1.603 187.5137
1.703 146.4844
1.803 155.2764
1.903 164.0684
2.003 878.9062
2.103 181.6523
2.203 190.4443
2.303 149.415
2.403 158.207
2.503 166.999
2.603 175.791
2.703 184.583
2.803 193.375
2.903 152.3457
3.003 161.1377
3.103 169.9297
3.203 178.7217
3.303 187.5137
3.403 146.4844
3.503 155.2764
3.603 164.0684
3.703 172.8604
3.803 181.6523
3.903 190.4443
e
0.003 155.2764
0.103 159.6724
0.203 164.0684
0.303 172.8604
0.403 171.6881
0.503 170.5158
0.603 169.3436
0.703 168.1713
0.803 166.999
0.903 175.791
1.003 174.6188
1.103 173.4465
1.203 172.2742
1.303 171.102
1.403 169.9297
1.503 168.7574
1.603 167.5852
1.703 166.4129
1.803 306.4498
1.903 305.2775
2.003 314.0695
2.103 312.8973
2.203 311.725
2.303 169.3436
2.403 168.1713
2.503 166.999
2.603 175.791
2.703 174.6188
2.803 173.4465
2.903 172.2742
3.003 171.102
3.103 169.9297
3.203 168.7574
3.303 167.5852
3.403 166.4129
3.503 165.2406
3.603 164.0684
3.703 172.8604
3.803 177.2563
3.903 181.6523
e
reset
set terminal pngcairo noenhanced size 800,600 font 'DejaVu Sans,10'
set encoding utf8
set output 'job_bw.2-read.png'
set title 'gold-run (rw=randrw bs=16k iodepth=8) — job (job 2) read bandwidth'
set xlabel 'time (s)'
set ylabel 'bandwidth (MiB/s)'
set grid
set key top right opaque box
set autoscale xfix
set yrange [0:*]
plot '-' using 1:2 with lines lw 1 lc rgb '#9ecae1' title 'raw', \
     '-' using 1:2 with lines lw 2 lc rgb '#08519c' title 'smoothed', \
     63.23242 with lines lw 2 dt 2 lc rgb '#d62728' title 'average 63.23 MiB/s'
0.005 58.59375
0.105 59.08203
0.205 59.57031
0.305 60.05859
0.405 60.54688
0.505 61.03516
0.605 61.52344
0.705 62.01172
0.805 62.5
0.905 62.98828
1.005 63.47656
1.105 63.96484
1.205 64.45312
1.305 64.94141
1.405 65.42969
1.505 65.91797
1.605 66.40625
1.705 66.89453
1.805 67.38281
1.905 67.87109
e
0.005 59.08203
0.105 59.32617
0.205 59.57031
0.305 60.05859
0.405 60.54688
0.505 61.03516
0.605 61.52344
0.705 62.01172
0.805 62.5
0.905 62.98828
1.005 63.47656
1.105 63.96484
1.205 64.45312
1.305 64.94141
1.405 65.42969
1.505 65.91797
1.605 66.40625
1.705 66.89453
1.805 67.13867
1.905 67.38281
e
reset
set terminal svg noenhanced size 800,600 font 'DejaVu Sans,10' dynamic background '#ffffff'
set encoding utf8
set output 'job_bw.2-read.svg'
set title 'gold-run (rw=randrw bs=16k iodepth=8) — job (job 2) read bandwidth'
set xlabel 'time (s)'
set ylabel 'bandwidth (MiB/s)'
set grid
set key top right opaque box
set autoscale xfix
set yrange [0:*]
plot '-' using 1:2 with lines lw 1 lc rgb '#9ecae1' title 'raw', \
     '-' using 1:2 with lines lw 2 lc rgb '#08519c' title 'smoothed', \
     63.23242 with lines lw 2 dt 2 lc rgb '#d62728' title 'average 63.23 MiB/s'
0.005 58.59375
0.105 59.08203
0.205 59.57031
0.305 60.05859
0.405 60.54688
0.505 61.03516
0.605 61.52344
0.705 62.01172
0.805 62.5
0.905 62.98828
1.005 63.47656
1.105 63.96484
1.205 64.45312
1.305 64.94141
1.405 65.42969
1.505 65.91797
1.605 66.40625
1.705 66.89453
1.805 67.38281
1.905 67.87109
e
0.005 59.08203
0.105 59.32617
0.205 59.57031
0.305 60.05859
0.405 60.54688
0.505 61.03516
0.605 61.52344
0.705 62.01172
0.805 62.5
0.905 62.98828
1.005 63.47656
1.105 63.96484
1.205 64.45312
1.305 64.94141
1.405 65.42969
1.505 65.91797
1.605 66.40625
1.705 66.89453
1.805 67.13867
1.905 67.38281
e
reset
set terminal pngcairo noenhanced size 800,600 font 'DejaVu Sans,10'
set encoding utf8
set output 'job_bw.2-write.png'
set title 'gold-run (rw=randrw bs=16k iodepth=8) — job (job 2) write bandwidth'
set xlabel 'time (s)'
set ylabel 'bandwidth (MiB/s)'
set grid
set key top right opaque box
set autoscale xfix
set yrange [0:*]
plot '-' using 1:2 with lines lw 1 lc rgb '#9ecae1' title 'raw', \
     '-' using 1:2 with lines lw 2 lc rgb '#08519c' title 'smoothed', \
     31.61621 with lines lw 2 dt 2 lc rgb '#d62728' title 'average 31.62 MiB/s'
0.006 29.29688
0.106 29.54102
0.206 29.78516
0.306 30.0293
0.406 30.27344
0.506 30.51758
0.606 30.76172
0.706 31.00586
0.806 31.25
0.906 31.49414
1.006 31.73828
1.106 31.98242
1.206 32.22656
1.306 32.4707
1.406 32.71484
1.506 32.95898
1.606 33.20312
1.706 33.44727
1.806 33.69141
1.906 33.93555
e
0.006 29.54102
0.106 29.66309
0.206 29.78516
0.306 30.0293
0.406 30.27344
0.506 30.51758
0.606 30.76172
0.706 31.00586
0.806 31.25
0.906 31.49414
1.006 31.73828
1.106 31.98242
1.206 32.22656
1.306 32.4707
1.406 32.71484
1.506 32.95898
1.606 33.20312
1.706 33.44727
1.806 33.56934
1.906 33.69141
e
reset
set terminal svg noenhanced size 800,600 font 'DejaVu Sans,10' dynamic background '#ffffff'
set encoding utf8
set output 'job_bw.2-write.svg'
set title 'gold-run (rw=randrw bs=16k iodepth=8) — job (job 2) write bandwidth'
set xlabel 'time (s)'
set ylabel 'bandwidth (MiB/s)'
set grid
set key top right opaque box
set autoscale xfix
set yrange [0:*]
plot '-' using 1:2 with lines lw 1 lc rgb '#9ecae1' title 'raw', \
     '-' using 1:2 with lines lw 2 lc rgb '#08519c' title 'smoothed', \
     31.61621 with lines lw 2 dt 2 lc rgb '#d62728' title 'average 31.62 MiB/s'
0.006 29.29688
0.106 29.54102
0.206 29.78516
0.306 30.0293
0.406 30.27344
0.506 30.51758
0.606 30.76172
0.706 31.00586
0.806 31.25
0.906 31.49414
1.006 31.73828
1.106 31.98242
1.206 32.22656
1.306 32.4707
1.406 32.71484
1.506 32.95898
1.606 33.20312
1.706 33.44727
1.806 33.69141
1.906 33.93555
e
0.006 29.54102
0.106 29.66309
0.206 29.78516
0.306 30.0293
0.406 30.27344
0.506 30.51758
0.606 30.76172
0.706 31.00586
0.806 31.25
0.906 31.49414
1.006 31.73828
1.106 31.98242
1.206 32.22656
1.306 32.4707
1.406 32.71484
1.506 32.95898
1.606 33.20312
1.706 33.44727
1.806 33.56934
1.906 33.69141
e
reset
set terminal pngcairo noenhanced size 800,600 font 'DejaVu Sans,10'
set encoding utf8
set output 'job_clat.1.png'
set title 'gold-run (rw=randrw bs=16k iodepth=8) — job (job 1) completion latency'
set xlabel 'time (s)'
set ylabel 'completion latency (µs)'
set grid
set key top right opaque box
set autoscale xfix
set yrange [0:*]
plot '-' using 1:2 with lines lw 1 lc rgb '#9ecae1' title 'raw', \
     '-' using 1:2 with lines lw 2 lc rgb '#08519c' title 'smoothed', \
     100.9438 with lines lw 2 dt 2 lc rgb '#d62728' title 'average 100.9 µs'
0 80
0.05 87.919
0.1 95.838
0.15 103.757
0.2 111.676
0.25 119.595
0.3 87.514
0.35 95.433
0.4 103.352
0.45 111.271
0.5 119.19
0.55 87.109
0.6 95.028
0.65 102.947
0.7 110.866
0.75 118.785
0.8 86.704
0.85 94.623
0.9 102.542
0.95 110.461
1 118.38
1.05 86.299
1.1 94.218
1.15 102.137
1.2 110.056
1.25 117.975
1.3 85.894
1.35 93.813
1.4 101.732
1.45 109.651
1.5 117.57
1.55 85.489
1.6 93.408
1.65 101.327
1.7 109.246
1.75 117.165
1.8 85.084
1.85 93.003
1.9 100.922
1.95 108.841
2 116.76
2.05 84.679
2.1 92.598
2.15 100.517
2.2 108.436
2.25 116.355
2.3 84.274
2.35 92.193
2.4 100.112
2.45 108.031
2.5 115.95
2.55 83.869
2.6 91.788
2.65 99.707
2.7 107.626
2.75 115.545
2.8 83.464
2.85 91.383
2.9 99.302
2.95 107.221
e
0 91.8785
0.05 91.8785
0.1 99.7975
0.15 99.7975
0.2 102.3022
0.25 102.3022
0.3 103.514
0.35 104.8068
0.4 103.352
0.45 101.8972
0.5 103.19
0.55 104.4018
0.6 104.4018
0.65 100.2398
0.7 100.2398
0.75 102.785
0.8 102.7445
0.85 102.623
0.9 99.83483
0.95 102.461
1 102.3395
1.05 102.3395
1.1 104.8442
1.15 104.8442
1.2 102.056
1.25 100.6822
1.3 101.894
1.35 104.4392
1.4 101.732
1.45 100.2772
1.5 100.2772
1.55 101.489
1.6 102.7818
1.65 101.327
1.7 99.87217
1.75 101.165
1.8 102.3768
1.85 102.3768
1.9 98.21483
1.95 98.21483
2 100.76
2.05 100.7195
2.1 100.598
2.15 97.80983
2.2 100.436
2.25 100.3145
2.3 100.3145
2.35 102.8192
2.4 102.8192
2.45 100.031
2.5 98.65717
2.55 99.869
2.6 102.4142
2.65 99.707
2.7 98.25217
2.75 98.25217
2.8 100.7568
2.85 100.7568
2.9 95.3425
2.95 95.3425
e
reset
set terminal svg noenhanced size 800,600 font 'DejaVu Sans,10' dynamic background '#ffffff'
set encoding utf8
set output 'job_clat.1.svg'
set title 'gold-run (rw=randrw bs=16k iodepth=8) — job (job 1) completion latency'
set xlabel 'time (s)'
set ylabel 'completion latency (µs)'
set grid
set key top right opaque box
set autoscale xfix
set yrange [0:*]
plot '-' using 1:2 with lines lw 1 lc rgb '#9ecae1' title 'raw', \
     '-' using 1:2 with lines lw 2 lc rgb '#08519c' title 'smoothed', \
     100.9438 with lines lw 2 dt 2 lc rgb '#d62728' title 'average 100.9 µs'
0 80
0.05 87.919
0.1 95.838
0.15 103.757
0.2 111.676
0.25 119.595
0.3 87.514
0.35 95.433
0.4 103.352
0.45 111.271
0.5 119.19
0.55 87.109
0.6 95.028
0.65 102.947
0.7 110.866
0.75 118.785
0.8 86.704
0.85 94.623
0.9 102.542
0.95 110.461
1 118.38
1.05 86.299
1.1 94.218
1.15 102.137
1.2 110.056
1.25 117.975
1.3 85.894
1.35 93.813
1.4 101.732
1.45 109.651
1.5 117.57
1.55 85.489
1.6 93.408
1.65 101.327
1.7 109.246
1.75 117.165
1.8 85.084
1.85 93.003
1.9 100.922
1.95 108.841
2 116.76
2.05 84.679
2.1 92.598
2.15 100.517
2.2 108.436
2.25 116.355
2.3 84.274
2.35 92.193
2.4 100.112
2.45 108.031
2.5 115.95
2.55 83.869
2.6 91.788
2.65 99.707
2.7 107.626
2.75 115.545
2.8 83.464
2.85 91.383
2.9 99.302
2.95 107.221
e
0 91.8785
0.05 91.8785
0.1 99.7975
0.15 99.7975
0.2 102.3022
0.25 102.3022
0.3 103.514
0.35 104.8068
0.4 103.352
0.45 101.8972
0.5 103.19
0.55 104.4018
0.6 104.4018
0.65 100.2398
0.7 100.2398
0.75 102.785
0.8 102.7445
0.85 102.623
0.9 99.83483
0.95 102.461
1 102.3395
1.05 102.3395
1.1 104.8442
1.15 104.8442
1.2 102.056
1.25 100.6822
1.3 101.894
1.35 104.4392
1.4 101.732
1.45 100.2772
1.5 100.2772
1.55 101.489
1.6 102.7818
1.65 101.327
1.7 99.87217
1.75 101.165
1.8 102.3768
1.85 102.3768
1.9 98.21483
1.95 98.21483
2 100.76
2.05 100.7195
2.1 100.598
2.15 97.80983
2.2 100.436
2.25 100.3145
2.3 100.3145
2.35 102.8192
2.4 102.8192
2.45 100.031
2.5 98.65717
2.55 99.869
2.6 102.4142
2.65 99.707
2.7 98.25217
2.75 98.25217
2.8 100.7568
2.85 100.7568
2.9 95.3425
2.95 95.3425
e
reset
set terminal pngcairo noenhanced size 800,600 font 'DejaVu Sans,10'
set encoding utf8
set output 'bw.png'
set title 'gold-run (rw=randrw bs=16k iodepth=8) — all jobs, bandwidth'
set xlabel 'time (s)'
set ylabel 'bandwidth (MiB/s)'
set grid
set key top right opaque box
set autoscale xfix
set yrange [0:*]
plot '-' using 1:2 with lines lw 1 lc rgb '#1f77b4' title 'job (job 1)', \
     '-' using 1:2 with lines lw 1 lc rgb '#ff7f0e' title 'job (job 2) read', \
     '-' using 1:2 with lines lw 1 lc rgb '#2ca02c' title 'job (job 2) write'
0.003 146.4844
0.103 155.2764
0.203 164.0684
0.303 172.8604
0.403 181.6523
0.503 190.4443
0.603 149.415
0.703 158.207
0.803 166.999
0.903 175.791
1.003 184.583
1.103 193.375
1.203 152.3457
1.303 161.1377
1.403 169.9297
1.503 178.7217
1.603 187.5137
1.703 146.4844
1.803 155.2764
1.903 164.0684
2.003 878.9062
2.103 181.6523
2.203 190.4443
2.303 149.415
2.403 158.207
2.503 166.999
2.603 175.791
2.703 184.583
2.803 193.375
2.903 152.3457
3.003 161.1377
3.103 169.9297
3.203 178.7217
3.303 187.5137
3.403 146.4844
3.503 155.2764
3.603 164.0684
3.703 172.8604
3.803 181.6523
3.903 190.4443
e
0.005 58.59375
0.105 59.08203
0.205 59.57031
0.305 60.05859
0.405 60.54688
0.505 61.03516
0.605 61.52344
0.705 62.01172
0.805 62.5
0.905 62.98828
1.005 63.47656
1.105 63.96484
1.205 64.45312
1.305 64.94141
1.405 65.42969
1.505 65.91797
1.605 66.40625
1.705 66.89453
1.805 67.38281
1.905 67.87109
e
0.006 29.29688
0.106 29.54102
0.206 29.78516
0.306 30.0293
0.406 30.27344
0.506 30.51758
0.606 30.76172
0.706 31.00586
0.806 31.25
0.906 31.49414
1.006 31.73828
1.106 31.98242
1.206 32.22656
1.306 32.4707
1.406 32.71484
1.506 32.95898
1.606 33.20312
1.706 33.44727
1.806 33.69141
1.906 33.93555
e
reset
set terminal svg noenhanced size 800,600 font 'DejaVu Sans,10' dynamic background '#ffffff'
set encoding utf8
set output 'bw.svg'
set title 'gold-run (rw=randrw bs=16k iodepth=8) — all jobs, bandwidth'
set xlabel 'time (s)'
set ylabel 'bandwidth (MiB/s)'
set grid
set key top right opaque box
set autoscale xfix
set yrange [0:*]
plot '-' using 1:2 with lines lw 1 lc rgb '#1f77b4' title 'job (job 1)', \
     '-' using 1:2 with lines lw 1 lc rgb '#ff7f0e' title 'job (job 2) read', \
     '-' using 1:2 with lines lw 1 lc rgb '#2ca02c' title 'job (job 2) write'
0.003 146.4844
0.103 155.2764
0.203 164.0684
0.303 172.8604
0.403 181.6523
0.503 190.4443
0.603 149.415
0.703 158.207
0.803 166.999
0.903 175.791
1.003 184.583
1.103 193.375
1.203 152.3457
1.303 161.1377
1.403 169.9297
1.503 178.7217
1.603 187.5137
1.703 146.4844
1.803 155.2764
1.903 164.0684
2.003 878.9062
2.103 181.6523
2.203 190.4443
2.303 149.415
2.403 158.207
2.503 166.999
2.603 175.791
2.703 184.583
2.803 193.375
2.903 152.3457
3.003 161.1377
3.103 169.9297
3.203 178.7217
3.303 187.5137
3.403 146.4844
3.503 155.2764
3.603 164.0684
3.703 172.8604
3.803 181.6523
3.903 190.4443
e
0.005 58.59375
0.105 59.08203
0.205 59.57031
0.305 60.05859
0.405 60.54688
0.505 61.03516
0.605 61.52344
0.705 62.01172
0.805 62.5
0.905 62.98828
1.005 63.47656
1.105 63.96484
1.205 64.45312
1.305 64.94141
1.405 65.42969
1.505 65.91797
1.605 66.40625
1.705 66.89453
1.805 67.38281
1.905 67.87109
e
0.006 29.29688
0.106 29.54102
0.206 29.78516
0.306 30.0293
0.406 30.27344
0.506 30.51758
0.606 30.76172
0.706 31.00586
0.806 31.25
0.906 31.49414
1.006 31.73828
1.106 31.98242
1.206 32.22656
1.306 32.4707
1.406 32.71484
1.506 32.95898
1.606 33.20312
1.706 33.44727
1.806 33.69141
1.906 33.93555
e
reset
set terminal pngcairo noenhanced size 800,600 font 'DejaVu Sans,10'
set encoding utf8
set output 'bw-stats.png'
set title 'gold-run (rw=randrw bs=16k iodepth=8) — bandwidth per job: min/avg/max/stddev'
set ylabel 'bandwidth (MiB/s)'
set grid ytics
set key top right opaque box
set style data histograms
set style histogram clustered gap 1
set style fill solid 1.0 border -1
set yrange [0:*]
set xtics scale 0
$bars << EOD
"job (job 1)" 146.4844 187.361 878.9062 113.0985
"job (job 2) read" 58.59375 63.23242 67.87109 2.888711
"job (job 2) write" 29.29688 31.61621 33.93555 1.444355
EOD
plot $bars using 2:xtic(1) title 'min' lc rgb '#9ecae1', \
     '' using 3 title 'avg' lc rgb '#3182bd', \
     '' using 4 title 'max' lc rgb '#08519c', \
     '' using 5 title 'stddev' lc rgb '#fdae6b'
reset
set terminal svg noenhanced size 800,600 font 'DejaVu Sans,10' dynamic background '#ffffff'
set encoding utf8
set output 'bw-stats.svg'
set title 'gold-run (rw=randrw bs=16k iodepth=8) — bandwidth per job: min/avg/max/stddev'
set ylabel 'bandwidth (MiB/s)'
set grid ytics
set key top right opaque box
set style data histograms
set style histogram clustered gap 1
set style fill solid 1.0 border -1
set yrange [0:*]
set xtics scale 0
$bars << EOD
"job (job 1)" 146.4844 187.361 878.9062 113.0985
"job (job 2) read" 58.59375 63.23242 67.87109 2.888711
"job (job 2) write" 29.29688 31.61621 33.93555 1.444355
EOD
plot $bars using 2:xtic(1) title 'min' lc rgb '#9ecae1', \
     '' using 3 title 'avg' lc rgb '#3182bd', \
     '' using 4 title 'max' lc rgb '#08519c', \
     '' using 5 title 'stddev' lc rgb '#fdae6b'
reset
set terminal pngcairo noenhanced size 800,600 font 'DejaVu Sans,10'
set encoding utf8
set output 'clat.png'
set title 'gold-run (rw=randrw bs=16k iodepth=8) — all jobs, completion latency'
set xlabel 'time (s)'
set ylabel 'completion latency (µs)'
set grid
set key top right opaque box
set autoscale xfix
set yrange [0:*]
plot '-' using 1:2 with lines lw 1 lc rgb '#1f77b4' title 'job (job 1)'
0 80
0.05 87.919
0.1 95.838
0.15 103.757
0.2 111.676
0.25 119.595
0.3 87.514
0.35 95.433
0.4 103.352
0.45 111.271
0.5 119.19
0.55 87.109
0.6 95.028
0.65 102.947
0.7 110.866
0.75 118.785
0.8 86.704
0.85 94.623
0.9 102.542
0.95 110.461
1 118.38
1.05 86.299
1.1 94.218
1.15 102.137
1.2 110.056
1.25 117.975
1.3 85.894
1.35 93.813
1.4 101.732
1.45 109.651
1.5 117.57
1.55 85.489
1.6 93.408
1.65 101.327
1.7 109.246
1.75 117.165
1.8 85.084
1.85 93.003
1.9 100.922
1.95 108.841
2 116.76
2.05 84.679
2.1 92.598
2.15 100.517
2.2 108.436
2.25 116.355
2.3 84.274
2.35 92.193
2.4 100.112
2.45 108.031
2.5 115.95
2.55 83.869
2.6 91.788
2.65 99.707
2.7 107.626
2.75 115.545
2.8 83.464
2.85 91.383
2.9 99.302
2.95 107.221
e
reset
set terminal svg noenhanced size 800,600 font 'DejaVu Sans,10' dynamic background '#ffffff'
set encoding utf8
set output 'clat.svg'
set title 'gold-run (rw=randrw bs=16k iodepth=8) — all jobs, completion latency'
set xlabel 'time (s)'
set ylabel 'completion latency (µs)'
set grid
set key top right opaque box
set autoscale xfix
set yrange [0:*]
plot '-' using 1:2 with lines lw 1 lc rgb '#1f77b4' title 'job (job 1)'
0 80
0.05 87.919
0.1 95.838
0.15 103.757
0.2 111.676
0.25 119.595
0.3 87.514
0.35 95.433
0.4 103.352
0.45 111.271
0.5 119.19
0.55 87.109
0.6 95.028
0.65 102.947
0.7 110.866
0.75 118.785
0.8 86.704
0.85 94.623
0.9 102.542
0.95 110.461
1 118.38
1.05 86.299
1.1 94.218
1.15 102.137
1.2 110.056
1.25 117.975
1.3 85.894
1.35 93.813
1.4 101.732
1.45 109.651
1.5 117.57
1.55 85.489
1.6 93.408
1.65 101.327
1.7 109.246
1.75 117.165
1.8 85.084
1.85 93.003
1.9 100.922
1.95 108.841
2 116.76
2.05 84.679
2.1 92.598
2.15 100.517
2.2 108.436
2.25 116.355
2.3 84.274
2.35 92.193
2.4 100.112
2.45 108.031
2.5 115.95
2.55 83.869
2.6 91.788
2.65 99.707
2.7 107.626
2.75 115.545
2.8 83.464
2.85 91.383
2.9 99.302
2.95 107.221
e
reset
set terminal pngcairo noenhanced size 800,600 font 'DejaVu Sans,10'
set encoding utf8
set output 'clat-stats.png'
set title 'gold-run (rw=randrw bs=16k iodepth=8) — completion latency per job: min/avg/max/stddev'
set ylabel 'completion latency (µs)'
set grid ytics
set key top right opaque box
set style data histograms
set style histogram clustered gap 1
set style fill solid 1.0 border -1
set yrange [0:*]
set xtics scale 0
$bars << EOD
"job (job 1)" 80 100.9438 119.595 11.57162
EOD
plot $bars using 2:xtic(1) title 'min' lc rgb '#9ecae1', \
     '' using 3 title 'avg' lc rgb '#3182bd', \
     '' using 4 title 'max' lc rgb '#08519c', \
     '' using 5 title 'stddev' lc rgb '#fdae6b'
reset
set terminal svg noenhanced size 800,600 font 'DejaVu Sans,10' dynamic background '#ffffff'
set encoding utf8
set output 'clat-stats.svg'
set title 'gold-run (rw=randrw bs=16k iodepth=8) — completion latency per job: min/avg/max/stddev'
set ylabel 'completion latency (µs)'
set grid ytics
set key top right opaque box
set style data histograms
set style histogram clustered gap 1
set style fill solid 1.0 border -1
set yrange [0:*]
set xtics scale 0
$bars << EOD
"job (job 1)" 80 100.9438 119.595 11.57162
EOD
plot $bars using 2:xtic(1) title 'min' lc rgb '#9ecae1', \
     '' using 3 title 'avg' lc rgb '#3182bd', \
     '' using 4 title 'max' lc rgb '#08519c', \
     '' using 5 title 'stddev' lc rgb '#fdae6b'
reset
set terminal pngcairo noenhanced size 800,600 font 'DejaVu Sans,10'
set encoding utf8
set output 'clat-percentiles.png'
set title 'gold-run (rw=randrw bs=16k iodepth=8) — completion latency percentiles over time'
set xlabel 'time (s)'
set ylabel 'completion latency (µs)'
set grid
set key top right opaque box
set autoscale xfix
set yrange [0:*]
plot '-' using 1:2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#1f77b4' title 'p50', \
     '-' using 1:2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99', \
     '-' using 1:2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#2ca02c' title 'p99.9'
1.475 100.922
e
1.475 119.595
e
1.475 119.595
e
reset
set terminal svg noenhanced size 800,600 font 'DejaVu Sans,10' dynamic background '#ffffff'
set encoding utf8
set output 'clat-percentiles.svg'
set title 'gold-run (rw=randrw bs=16k iodepth=8) — completion latency percentiles over time'
set xlabel 'time (s)'
set ylabel 'completion latency (µs)'
set grid
set key top right opaque box
set autoscale xfix
set yrange [0:*]
plot '-' using 1:2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#1f77b4' title 'p50', \
     '-' using 1:2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99', \
     '-' using 1:2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#2ca02c' title 'p99.9'
1.475 100.922
e
1.475 119.595
e
1.475 119.595
e
unset output
